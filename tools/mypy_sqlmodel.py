"""A mypy plugin for what SQLModel does not declare: on a table model's class, a field is a column.

`Customer.cif` is a `str` on a row but a column expression on the class (`Customer.cif.in_(...)`,
`order_by(Task.due_date)`); SQLModel types both as the field's Python type, so every query would read
as a type error. On the class, a field of a `table=True` model is typed as a column attribute here;
on an instance it keeps its own type. Enabled in pyproject.toml ([tool.mypy] plugins).
"""
from collections.abc import Callable

from mypy.nodes import TypeInfo, Var
from mypy.plugin import AttributeContext, Plugin
from mypy.types import AnyType, FunctionLike, Instance, Type, TypeOfAny, TypeType

SQLMODEL = "sqlmodel.main.SQLModel"


def _is_table_model(info: TypeInfo) -> bool:
    """A SQLModel subclass that names its table, as every table model here does (`__tablename__`): the
    `table=True` keyword itself is not in mypy's cache, so a second run would not see it."""
    mro = info.mro
    if not any(base.fullname == SQLMODEL for base in mro[1:]):
        return False
    return any("__tablename__" in klass.names for klass in mro if klass.fullname != SQLMODEL)


class SQLModelColumns(Plugin):
    def get_class_attribute_hook(self, fullname: str) -> Callable[[AttributeContext], Type] | None:
        owner, _, name = fullname.rpartition(".")
        symbol = self.lookup_fully_qualified(owner)
        if symbol is None or not isinstance(symbol.node, TypeInfo) or name.startswith("_"):
            return None
        info = symbol.node
        field = info.names.get(name)
        if field is None or not isinstance(field.node, Var) or field.node.is_classvar:
            return None
        if not any(base.fullname == SQLMODEL for base in info.mro[1:]):
            return None
        return _column   # the field may be declared on a base without a table: the class used decides


def _accessed_class(ctx: AttributeContext) -> TypeInfo | None:
    if isinstance(ctx.type, FunctionLike) and ctx.type.is_type_obj():
        return ctx.type.type_object()
    if isinstance(ctx.type, TypeType) and isinstance(ctx.type.item, Instance):
        return ctx.type.item.type
    return None


def _column(ctx: AttributeContext) -> Type:
    info = _accessed_class(ctx)
    if info is None or not _is_table_model(info):
        return ctx.default_attr_type
    # sqlalchemy's InstrumentedAttribute would be exact; Any keeps the plugin independent of its stubs.
    return AnyType(TypeOfAny.special_form)


def plugin(version: str) -> type[Plugin]:
    return SQLModelColumns
