"""The forms of the curators' pages in the admin."""

import re

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget, AutocompleteSelect

from speeches.curation.health import TermError, normalise_term
from speeches.locks import lockable_fields
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
    files = MultipleFileField(label="文件", help_text="可一次选择多个文件，或上传一个 .zip 压缩包。")
    status = forms.ChoiceField(
        label="新讲话的状态",
        choices=[(Speech.DRAFT, "草稿（审核后再发布）"), (Speech.PUBLISHED, "直接发布")],
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


class NamedAutocompleteSelect(AutocompleteSelect):
    """An autocomplete box that says what to choose while empty. select2 names its box by
    the text it shows: an empty one had no name for screen readers (axe: serious)."""

    def __init__(self, field, admin_site, **kwargs):
        super().__init__(field, admin_site, **kwargs)
        self.placeholder = f"选择{field.verbose_name}"

    def build_attrs(self, base_attrs, extra_attrs=None):
        # Django sets an empty placeholder (select2 needs one to offer clearing); a named
        # one does the same.
        return {**super().build_attrs(base_attrs, extra_attrs), "data-placeholder": self.placeholder}


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
        widget=NamedAutocompleteSelect(Speech._meta.get_field("region"), admin.site),
    )


class TopicFixForm(forms.Form):
    topic = forms.ModelChoiceField(
        label="正确的主题",
        queryset=Topic.objects.all(),
        widget=NamedAutocompleteSelect(SpeechTopic._meta.get_field("topic"), admin.site),
    )


class NameFixForm(forms.Form):
    name = forms.CharField(label="正确的姓名", max_length=50)
    title = forms.CharField(label="职务", max_length=200, required=False)


class DateFixForm(forms.Form):
    date = forms.DateField(label="正确的日期", widget=AdminDateWidget)


class RepairFixForm(forms.Form):
    text = forms.CharField(label="这一段的正确文字", widget=forms.Textarea(attrs={"rows": 6, "cols": 90}))


# Between two keywords: commas and enumeration commas of either width, semicolons, line breaks.
KEYWORD_SEPARATORS = re.compile(r"[,，、;；\n\r]+")


class KeywordListField(forms.CharField):
    """A list of words (a JSON list in the database) edited as one line of text:
    「乡村振兴、粮食安全」. Blanks and repeats are dropped, the order is kept."""

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "、".join(str(word) for word in value)
        return value

    def to_python(self, value):
        words = (word.strip() for word in KEYWORD_SEPARATORS.split(super().to_python(value) or ""))
        return list(dict.fromkeys(word for word in words if word))

    def has_changed(self, initial, data):
        return list(initial or []) != self.to_python(data)


class LockedFieldsField(forms.MultipleChoiceField):
    """Speech.locked_fields as one checkbox per field a curator can lock. A name the form
    does not know (written by an older version) is shown too, so saving keeps it."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(choices=lockable_fields(), **kwargs)

    def add_unknown(self, names):
        known = {name for name, _label in self.choices}
        self.choices = [*self.choices, *((name, name) for name in names if name not in known)]

    def has_changed(self, initial, data):
        return set(initial or []) != set(data or [])


class SpeechAdminForm(forms.ModelForm):
    keywords = KeywordListField(
        label="关键词", required=False, max_length=2000,
        help_text="用顿号或逗号分隔，例如：乡村振兴、粮食安全。",
        widget=forms.TextInput(attrs={"class": "vLargeTextField keyword-input"}),
    )
    locked_fields = LockedFieldsField(
        label="人工锁定字段", required=False,
        help_text="勾选的字段在重新导入和重新抽取时保持不变；人工修改过的字段会自动勾选。",
    )

    class Meta:
        model = Speech
        # The admin asks for the fields of its fieldsets; these two are this form's own.
        fields = ["keywords", "locked_fields"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "locked_fields" in self.fields:
            self.fields["locked_fields"].add_unknown(self.instance.locked_fields or [])


class TopicAdminForm(forms.ModelForm):
    keywords = KeywordListField(
        label="关键词", required=False, max_length=4000,
        help_text="讲话含有这些词时归入本主题；用顿号或逗号分隔。",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
    )

    class Meta:
        model = Topic
        fields = ["name", "slug", "keywords"]
