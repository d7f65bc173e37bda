"""``client.messages``: send text, template, media, interactive and CTA URL messages; read the history."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from wacr import models
from wacr._pagination import Paginator
from wacr.resources._base import Resource, _seq

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from wacr.models import (
        CtaMessageResult,
        InteractiveButton,
        InteractiveMessageResult,
        InteractiveSection,
        InteractiveType,
        InteractiveTypeLiteral,
        MediaContactDetails,
        MediaMessageResult,
        MediaType,
        MediaTypeLiteral,
        Message,
        MessageSummary,
        TemplateMessageResult,
        TextMessageResult,
    )
    from wacr.resources._options import BodyOptions, RequestOptions

__all__ = ["Messages"]


class Messages(Resource):
    """Messages (scopes ``messages:send`` and ``messages:read``).

    Every send auto-creates the contact when the phone is unknown, and is never retried after
    an ambiguous failure (a timeout, a 5xx or a dropped connection once the request was
    written): the error then says the message may have been sent, because repeating it could
    message the customer twice. 429s and failures to connect are retried.
    """

    __slots__ = ()

    async def send_text(
        self,
        *,
        phone: str,
        message: str,
        contact_id: int | None = None,
        **request_options: Unpack[BodyOptions],
    ) -> TextMessageResult:
        """Send a text message (``POST /messages/text``).

        ``message`` may use merge fields such as ``@{contact_first_name}``; the result's
        ``message`` is the text after they were filled. Free-form text is delivered only inside
        the 24-hour customer-service window.
        """
        body = {"phone": phone, "message": message, "contact_id": contact_id}
        return await self._request(
            "messages_send_text", models.TextMessageResult, body=body, options=request_options
        )

    async def send_template(
        self,
        *,
        phone: str,
        template_name: str,
        language: str,
        contact_id: int | None = None,
        header_field_1: str | None = None,
        header_image_url: str | None = None,
        header_video_url: str | None = None,
        header_document_url: str | None = None,
        header_document_name: str | None = None,
        field_1: str | None = None,
        field_2: str | None = None,
        field_3: str | None = None,
        field_4: str | None = None,
        field_5: str | None = None,
        field_6: str | None = None,
        field_7: str | None = None,
        field_8: str | None = None,
        field_9: str | None = None,
        field_10: str | None = None,
        button_0: str | None = None,
        button_1: str | None = None,
        button_2: str | None = None,
        auto_generate_otp: bool | None = None,
        otp_field_number: int | None = None,
        **request_options: Unpack[BodyOptions],
    ) -> TemplateMessageResult:
        """Send an APPROVED template (``POST /messages/template``), at any time.

        ``field_1``..``field_10`` fill the body's ``{{1}}``..``{{10}}`` (merge fields allowed),
        ``header_*`` the header, ``button_0``..``button_2`` dynamic URL buttons; the template
        decides which are required.
        """
        body = {
            "phone": phone,
            "template_name": template_name,
            "language": language,
            "contact_id": contact_id,
            "header_field_1": header_field_1,
            "header_image_url": header_image_url,
            "header_video_url": header_video_url,
            "header_document_url": header_document_url,
            "header_document_name": header_document_name,
            "field_1": field_1,
            "field_2": field_2,
            "field_3": field_3,
            "field_4": field_4,
            "field_5": field_5,
            "field_6": field_6,
            "field_7": field_7,
            "field_8": field_8,
            "field_9": field_9,
            "field_10": field_10,
            "button_0": button_0,
            "button_1": button_1,
            "button_2": button_2,
            "auto_generate_otp": auto_generate_otp,
            "otp_field_number": otp_field_number,
        }
        return await self._request(
            "messages_send_template",
            models.TemplateMessageResult,
            body=body,
            options=request_options,
        )

    async def send_media(
        self,
        *,
        phone: str,
        media_type: MediaType | MediaTypeLiteral,
        media_url: str,
        caption: str | None = None,
        filename: str | None = None,
        contact_id: int | None = None,
        contact: MediaContactDetails | Mapping[str, Any] | None = None,
        **request_options: Unpack[BodyOptions],
    ) -> MediaMessageResult:
        """Send an image, document, video or audio file by URL (``POST /messages/media``).

        The URL's extension must suit ``media_type``; ``caption`` is not supported for audio;
        ``contact`` details are used if the contact is created by this send.
        """
        body = {
            "phone": phone,
            "media_type": media_type,
            "media_url": media_url,
            "caption": caption,
            "filename": filename,
            "contact_id": contact_id,
            "contact": contact,
        }
        return await self._request(
            "messages_send_media", models.MediaMessageResult, body=body, options=request_options
        )

    async def send_interactive(
        self,
        *,
        phone: str,
        type: InteractiveType | InteractiveTypeLiteral,
        body_text: str,
        header_text: str | None = None,
        footer_text: str | None = None,
        contact_id: int | None = None,
        buttons: Sequence[InteractiveButton | Mapping[str, Any]] | None = None,
        list_button_text: str | None = None,
        sections: Sequence[InteractiveSection | Mapping[str, Any]] | None = None,
        **request_options: Unpack[BodyOptions],
    ) -> InteractiveMessageResult:
        """Send reply buttons (``type="button"``, 1-3 ``buttons``) or a list (``type="list"``).

        A list needs ``list_button_text`` and up to 10 ``sections`` of ``rows``
        (``POST /messages/interactive``).
        """
        body = {
            "phone": phone,
            "type": type,
            "body_text": body_text,
            "header_text": header_text,
            "footer_text": footer_text,
            "contact_id": contact_id,
            "buttons": _seq(buttons),
            "list_button_text": list_button_text,
            "sections": _seq(sections),
        }
        return await self._request(
            "messages_send_interactive",
            models.InteractiveMessageResult,
            body=body,
            options=request_options,
        )

    async def send_cta(
        self,
        *,
        phone: str,
        message: str,
        button_text: str,
        button_url: str,
        header_text: str | None = None,
        footer_text: str | None = None,
        contact_id: int | None = None,
        **request_options: Unpack[BodyOptions],
    ) -> CtaMessageResult:
        """Send a message with one URL button that opens ``button_url`` (``POST /messages/cta``).

        ``phone`` 10-15 characters, ``message`` up to 1024, ``button_text`` up to 25,
        ``button_url`` an http(s) URL up to 2048, ``header_text``/``footer_text`` up to 60. The
        result adds ``button_text`` and ``button_url`` to the usual send fields. A deployment
        without this operation answers 404 (:class:`wacr.NotFoundError`) or 405.
        """
        body = {
            "phone": phone,
            "message": message,
            "button_text": button_text,
            "button_url": button_url,
            "header_text": header_text,
            "footer_text": footer_text,
            "contact_id": contact_id,
        }
        return await self._request(
            "messages_send_cta", models.CtaMessageResult, body=body, options=request_options
        )

    def list(
        self,
        *,
        page: int | None = None,
        per_page: int | None = None,
        sort: str | Sequence[str] | None = None,
        search: str | None = None,
        q: str | None = None,
        fields: str | Sequence[str] | None = None,
        filters: Mapping[str, Any] | None = None,
        **request_options: Unpack[RequestOptions],
    ) -> Paginator[MessageSummary]:
        """The message history, newest first (``GET /messages``).

        ``filters`` on ``type``, ``status``, ``interaction_id``, ``direction`` (operators
        ``ne``, ``in``, ``not_in``); there is no ``created_at`` filter on messages.
        """
        args = {
            "page": page,
            "per_page": per_page,
            "sort": sort,
            "search": search,
            "q": q,
            "fields": fields,
            "filters": filters,
        }
        return self._list("messages_list", models.MessageSummary, args, options=request_options)

    async def get(self, id: int, **request_options: Unpack[RequestOptions]) -> Message:
        """One message by its internal id, with its detail fields (``GET /messages/{id}``)."""
        return await self._request("messages_get", models.Message, path={"id": id}, options=request_options)
