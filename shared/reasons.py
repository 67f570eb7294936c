"""Why a field was refused, in the reader's language: pydantic's error types in Chinese (default) and
English, each naming what is allowed (the values, the bounds, the format) where pydantic knows it.
A service adds the formats of its patterns (`register_formats`) and the words of its own validators'
messages (`register_reasons`)."""
from typing import Any

# pydantic error type -> (zh, en), formatted with the error's ctx (expected, min_length, ge, pattern, …)
REASONS: dict[str, tuple[str, str]] = {
    "missing": ("缺少必填字段", "field required"),
    "extra_forbidden": ("不支持的字段", "unknown field"),
    "string_type": ("应为文本", "must be a string"),
    "string_too_short": ("至少 {min_length} 个字符", "at least {min_length} characters"),
    "string_too_long": ("最多 {max_length} 个字符", "at most {max_length} characters"),
    "string_pattern_mismatch": ("格式不正确，应为 {format}", "wrong format: expected {format}"),
    "literal_error": ("取值不在允许范围内，可选：{expected}", "value not allowed; expected {expected}"),
    "enum": ("取值不在允许范围内，可选：{expected}", "value not allowed; expected {expected}"),
    "int_parsing": ("应为整数", "must be an integer"),
    "int_type": ("应为整数", "must be an integer"),
    "int_from_float": ("应为整数，不能有小数", "must be a whole number"),
    "float_parsing": ("应为数字", "must be a number"),
    "float_type": ("应为数字", "must be a number"),
    "finite_number": ("应为有限数字", "must be a finite number"),
    "decimal_parsing": ("应为金额或小数，例如 1200000.00", "must be a decimal such as 1200000.00"),
    "decimal_type": ("应为金额或小数，例如 1200000.00", "must be a decimal such as 1200000.00"),
    "decimal_max_digits": ("数字最多 {max_digits} 位", "at most {max_digits} digits"),
    "decimal_max_places": ("最多 {decimal_places} 位小数", "at most {decimal_places} decimal places"),
    "decimal_whole_digits": ("整数部分最多 {whole_digits} 位", "at most {whole_digits} digits before the point"),
    "greater_than": ("应大于 {gt}", "must be greater than {gt}"),
    "greater_than_equal": ("应不小于 {ge}", "must be at least {ge}"),
    "less_than": ("应小于 {lt}", "must be less than {lt}"),
    "less_than_equal": ("应不大于 {le}", "must be at most {le}"),
    "multiple_of": ("应为 {multiple_of} 的整数倍", "must be a multiple of {multiple_of}"),
    "bool_parsing": ("应为 true 或 false", "must be true or false"),
    "bool_type": ("应为 true 或 false", "must be true or false"),
    "date_parsing": ("日期格式应为 YYYY-MM-DD", "date must be YYYY-MM-DD"),
    "date_from_datetime_parsing": ("日期格式应为 YYYY-MM-DD", "date must be YYYY-MM-DD"),
    "date_from_datetime_inexact": ("日期格式应为 YYYY-MM-DD", "date must be YYYY-MM-DD"),
    "date_type": ("日期格式应为 YYYY-MM-DD", "date must be YYYY-MM-DD"),
    "datetime_parsing": ("时间格式应为 ISO 8601，例如 2026-12-01T09:30:00+08:00",
                         "time must be ISO 8601, e.g. 2026-12-01T09:30:00+08:00"),
    "datetime_from_date_parsing": ("时间格式应为 ISO 8601，例如 2026-12-01T09:30:00+08:00",
                                   "time must be ISO 8601, e.g. 2026-12-01T09:30:00+08:00"),
    "datetime_type": ("时间格式应为 ISO 8601，例如 2026-12-01T09:30:00+08:00",
                      "time must be ISO 8601, e.g. 2026-12-01T09:30:00+08:00"),
    "timezone_aware": ("时间须带时区，例如 +08:00", "time needs a timezone, e.g. +08:00"),
    "time_parsing": ("时刻格式应为 HH:MM", "time of day must be HH:MM"),
    "uuid_parsing": ("应为 UUID", "must be a UUID"),
    "uuid_type": ("应为 UUID", "must be a UUID"),
    "too_short": ("至少 {min_length} 项", "at least {min_length} items"),
    "too_long": ("最多 {max_length} 项", "at most {max_length} items"),
    "list_type": ("应为数组", "must be a list"),
    "dict_type": ("应为对象", "must be an object"),
    "model_type": ("应为对象", "must be an object"),
    "model_attributes_type": ("应为对象", "must be an object"),
    "json_invalid": ("请求体不是有效的 JSON", "the body is not valid JSON"),
    "json_type": ("请求体不是有效的 JSON", "the body is not valid JSON"),
    "union_tag_invalid": ("取值不在允许范围内，可选：{expected_tags}", "value not allowed; expected {expected_tags}"),
}
GENERIC = ("取值无效", "invalid value")
# a pattern -> the format a person reads (zh, en); shared.errors falls back to the pattern itself
FORMATS: dict[str, tuple[str, str]] = {}
# a validator's own message (ValueError / PydanticCustomError text) -> (zh, en)
MESSAGES: dict[str, tuple[str, str]] = {}


def register_formats(formats: dict[str, tuple[str, str]]) -> None:
    FORMATS.update(formats)


def register_reasons(messages: dict[str, tuple[str, str]]) -> None:
    MESSAGES.update(messages)


def _words(value: Any, english: bool) -> str:
    # pydantic lists allowed values as "'a', 'b' or 'c'"; a Chinese sentence lists them "'a'、'b'、'c'"
    return str(value) if english else str(value).replace("', '", "'、'").replace("' or '", "'、'")


class _Ctx(dict):
    def __missing__(self, key):
        return "—"


def reason(error: dict[str, Any], english: bool) -> str:
    """One pydantic error (from `RequestValidationError.errors()`) as a sentence in the reader's language."""
    kind, ctx = error["type"], dict(error.get("ctx") or {})
    if kind in REASONS:
        if "pattern" in ctx:
            ctx["format"] = FORMATS.get(str(ctx["pattern"]), (ctx["pattern"], ctx["pattern"]))[english]
        return REASONS[kind][english].format_map(_Ctx({k: _words(v, english) for k, v in ctx.items()}))
    own = str(ctx["error"]) if kind == "value_error" and "error" in ctx else error.get("msg", "")
    if own in MESSAGES:
        return MESSAGES[own][english]
    return own if english and own else GENERIC[english]
