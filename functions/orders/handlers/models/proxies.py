"""API input and output shapes of acting for a resident: the link request, its confirmation code, the links."""

from __future__ import annotations

from pydantic import BaseModel, Field

from orders.handlers.models.fields import STRICT


class ProxyRequestIn(BaseModel):
    model_config = STRICT
    phone: str = Field(
        pattern=r"^\+?[0-9][0-9 -]{6,18}$", description="The resident's mobile number (11 digits; +86 and spaces allowed)."
    )
    relation: str = Field(
        min_length=1,
        max_length=20,
        description="What you are to them, one of 儿子, 女儿, 配偶, 其他家人, 亲属, 社区工作者, 邻居, 其他 (or the same in "
        "English: son, daughter, spouse, family member, relative, community worker, neighbour, other); anything else is "
        "a 400 invalid_relation.",
    )
    relation_en: str = Field(default="", max_length=40, description="Ignored: the English follows from `relation`.")


class ProxyRequestView(BaseModel):
    request_id: str
    phone_masked: str
    expires_at: str
    attempts_allowed: int
    message_zh: str
    message_en: str


class ProxyConfirmIn(BaseModel):
    model_config = STRICT
    code: str = Field(min_length=6, max_length=12, pattern=r"^[0-9 ]+$", description="The 6 digits the resident was sent.")


class ProxyLinkView(BaseModel):
    resident_id: str
    resident_name: str
    proxy_id: str
    proxy_name: str
    relation: str
    relation_en: str
    linked_at: str | None


class ProxyLinks(BaseModel):
    acting_for: list[ProxyLinkView] = Field(description="The residents the caller acts for.")
    proxies: list[ProxyLinkView] = Field(description="The people who act for the caller.")
