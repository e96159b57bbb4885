"""The forms of the curators' pages in the admin."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget, AutocompleteSelect

from speeches.curation.health import TermError, normalise_term
from speeches.models import DictionaryTerm, Region, ReviewItem, Speech, SpeechTopic, Topic


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple) and data:
            return [single(item, initial) for item in data]
        return [single(data or None, initial)]


class UploadImportForm(forms.Form):
    files = MultipleFileField(label="文件", help_text="可一次选择多个文件,或上传一个 .zip 压缩包。")
    status = forms.ChoiceField(
        label="新讲话的状态",
        choices=[(Speech.DRAFT, "草稿(审核后再发布)"), (Speech.PUBLISHED, "直接发布")],
        initial=Speech.DRAFT,
        widget=forms.RadioSelect,
    )


class SplitForm(forms.Form):
    paragraph = forms.IntegerField(label="后一篇从第几段开始", min_value=2)
    title = forms.CharField(label="后一篇的标题", max_length=300)


class DictionaryTermForm(forms.Form):
    term = forms.CharField(label="词语", max_length=50)


class DictionaryTermAdminForm(forms.ModelForm):
    class Meta:
        model = DictionaryTerm
        fields = ["term"]

    def clean_term(self):
        try:
            return normalise_term(self.cleaned_data["term"])
        except TermError as exc:
            raise forms.ValidationError(str(exc)) from exc


def fix_form_class(item):
    """The form that lets a curator give the right value for a queued item, or None
    where the fix happens elsewhere (duplicates: the merge page)."""
    return {
        ReviewItem.REGION: RegionFixForm,
        ReviewItem.TOPIC: TopicFixForm,
        ReviewItem.OFFICIAL: NameFixForm,
        ReviewItem.SPEAKER: NameFixForm,
        ReviewItem.DATE: DateFixForm,
        ReviewItem.REPAIR: RepairFixForm,
    }.get(item.field)


class RegionFixForm(forms.Form):
    region = forms.ModelChoiceField(
        label="正确的地区",
        queryset=Region.objects.all(),
        widget=AutocompleteSelect(Speech._meta.get_field("region"), admin.site),
    )


class TopicFixForm(forms.Form):
    topic = forms.ModelChoiceField(
        label="正确的主题",
        queryset=Topic.objects.all(),
        widget=AutocompleteSelect(SpeechTopic._meta.get_field("topic"), admin.site),
    )


class NameFixForm(forms.Form):
    name = forms.CharField(label="正确的姓名", max_length=50)
    title = forms.CharField(label="职务", max_length=200, required=False)


class DateFixForm(forms.Form):
    date = forms.DateField(label="正确的日期", widget=AdminDateWidget)


class RepairFixForm(forms.Form):
    text = forms.CharField(label="这一段的正确文字", widget=forms.Textarea(attrs={"rows": 6, "cols": 90}))
