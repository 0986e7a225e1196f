# Young people, consent, CEJ and PACEA contracts come with issue #4.
