from django import forms

from retention.models import RetentionPolicy


class RetentionPolicyForm(forms.ModelForm[RetentionPolicy]):
    class Meta:
        model = RetentionPolicy
        fields = ["duration", "unit"]
