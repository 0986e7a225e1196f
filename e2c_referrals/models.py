# Referrals and their workflow come with issue #5.
