"""Templates as the WhatsApp Business Account holds them, and the local rows sync makes of them."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from wacr.testing._state import State, Tenant

__all__ = [
    "TEMPLATE_FIELDS",
    "Template",
    "build_template",
    "fill_placeholders",
    "placeholder_count",
    "placeholder_numbers",
    "sync_template",
    "template_definition",
]

_PLACEHOLDER = re.compile(r"\{\{\s*(\d+)\s*\}\}")


def placeholder_count(text: str | None) -> int:
    """How many distinct ``{{n}}`` variables a template text has."""
    return len(set(_PLACEHOLDER.findall(text or "")))


def placeholder_numbers(text: str | None) -> list[int]:
    """The distinct ``{{n}}`` numbers of a template text, ascending."""
    return sorted({int(number) for number in _PLACEHOLDER.findall(text or "")})


def fill_placeholders(text: str, values: Mapping[int, str]) -> str:
    """Replace ``{{n}}`` with ``values[n]`` (unknown numbers stay as they are)."""
    return _PLACEHOLDER.sub(lambda m: values.get(int(m.group(1)), m.group(0)), text)


def template_definition(
    name: str,
    *,
    language: str = "en",
    category: str = "MARKETING",
    status: str = "APPROVED",
    body: str,
    header_format: str = "NONE",
    header_text: str | None = None,
    footer: str | None = None,
    buttons: Sequence[Mapping[str, Any]] | None = None,
    template_id: str | None = None,
) -> dict[str, Any]:
    """A template as the WhatsApp Business Account holds it (what sync copies)."""
    return {
        "template_id": template_id,
        "name": name,
        "language": language,
        "category": category.upper(),
        "status": status.upper(),
        "body": body,
        "header_format": header_format.upper(),
        "header_text": header_text,
        "footer": footer,
        "buttons": [dict(button) for button in buttons] if buttons else None,
    }


@dataclass(slots=True, eq=False)
class Template:
    """A row of the local template table; ``resource`` is the Get Template shape."""

    id: int
    resource: dict[str, Any]

    @property
    def name(self) -> str:
        """``template_name``."""
        return str(self.resource["template_name"])

    @property
    def language(self) -> str:
        """Language code."""
        return str(self.resource["language"])

    @property
    def status(self) -> str:
        """``APPROVED``, ``PENDING`` or ``REJECTED``."""
        return str(self.resource["status"])

    @property
    def category(self) -> str:
        """``MARKETING``, ``UTILITY`` or ``AUTHENTICATION``."""
        return str(self.resource["category"])

    @property
    def header_format(self) -> str:
        """``TEXT``, ``IMAGE``, ``VIDEO``, ``DOCUMENT`` or ``NONE``."""
        return str(self.resource["header_data_format"])

    @property
    def body(self) -> str:
        """Body text with ``{{n}}`` variables."""
        return str(self.resource["body_data"])

    def auth_item(self) -> dict[str, Any]:
        """The List Authentication Templates item."""
        data = self.resource
        return {
            "id": self.id,
            "template_name": data["template_name"],
            "language": data["language"],
            "body_text": data["body_data"],
            "body_params_count": data["body_params_count"],
            "header_format": data["header_data_format"],
            "header_text": data["header_data_text"],
            "footer_text": data["footer_data"],
            "status": data["status"],
            "created_at": data["created_at"],
        }


def build_template(
    definition: Mapping[str, Any], id: int, created_at: str, updated_at: str
) -> dict[str, Any]:
    """The Get Template resource for a WABA template definition."""
    category = definition["category"]
    header_format = definition["header_format"]
    header_text = definition["header_text"] if header_format == "TEXT" else None
    body = definition["body"]
    footer = definition["footer"]
    buttons = definition["buttons"]
    is_auth = category == "AUTHENTICATION"
    if is_auth and not buttons:
        buttons = [{"type": "OTP", "otp_type": "COPY_CODE", "text": "Copy code"}]

    components: list[dict[str, Any]] = []
    if header_format != "NONE":
        header: dict[str, Any] = {"type": "HEADER", "format": header_format}
        if header_text is not None:
            header["text"] = header_text
        components.append(header)
    body_component: dict[str, Any] = {"type": "BODY", "text": body}
    if is_auth:
        body_component["add_security_recommendation"] = True
    components.append(body_component)
    if footer or is_auth:
        footer_component: dict[str, Any] = {"type": "FOOTER"}
        if footer:
            footer_component["text"] = footer
        if is_auth:
            footer_component["code_expiration_minutes"] = 10
        components.append(footer_component)
    if buttons:
        components.append({"type": "BUTTONS", "buttons": buttons})

    return {
        "id": id,
        "template_id": definition["template_id"],
        "template_name": definition["name"],
        "name": definition["name"],
        "language": definition["language"],
        "category": category,
        "status": definition["status"],
        "header_data_format": header_format,
        "header_data_text": header_text,
        "header_params_count": placeholder_count(header_text),
        "header_file_url": None,
        "header_variable_value": None,
        "body_data": body,
        "body_params_count": placeholder_count(body),
        "body_variable_value": None,
        "footer_data": footer,
        "footer_params_count": placeholder_count(footer),
        "buttons_data": json.dumps(buttons) if buttons else None,
        "message_send_ttl_seconds": 600 if is_auth else None,
        "add_security_recommendation": is_auth,
        "code_expiration_minutes": 10 if is_auth else None,
        "otp_button_config": {"otp_type": "COPY_CODE", "text": "Copy code"} if is_auth else None,
        "components": components,
        "created_at": created_at,
        "updated_at": updated_at,
    }


TEMPLATE_FIELDS: Final[tuple[str, ...]] = (
    "id",
    "template_id",
    "template_name",
    "name",
    "language",
    "category",
    "status",
    "header_data_format",
    "header_data_text",
    "header_params_count",
    "header_file_url",
    "header_variable_value",
    "body_data",
    "body_params_count",
    "body_variable_value",
    "footer_data",
    "footer_params_count",
    "buttons_data",
    "message_send_ttl_seconds",
    "add_security_recommendation",
    "code_expiration_minutes",
    "otp_button_config",
    "components",
    "created_at",
    "updated_at",
)


def sync_template(state: State, tenant: Tenant, definition: Mapping[str, Any], stamp: str) -> bool:
    """Copy one WABA template into the local table; True when it was created."""
    for template in tenant.templates.values():
        if template.resource["template_id"] == definition["template_id"]:
            template.resource = build_template(
                definition, template.id, template.resource["created_at"], stamp
            )
            return False
    template_id = state.next_id("templates")
    tenant.templates[template_id] = Template(
        template_id, build_template(definition, template_id, stamp, stamp)
    )
    return True
