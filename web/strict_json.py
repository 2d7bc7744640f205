"""Request bodies decoded strictly, by msgspec, straight into the type the handler declares.

Litestar decodes JSON to plain values and then converts them with `strict=False`, so `0`
passed for `false` and a number for a date: the server accepted what its schema forbids. Here
the body is decoded once into the handler's `data` type with msgspec's strict rules; Litestar's
own conversion then receives the finished struct and passes it through unchanged.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar import Request
from litestar.exceptions import ValidationException
from litestar.utils.empty import value_or_default

_decoders: dict[Any, msgspec.json.Decoder[Any]] = {}
# A NUL can only be written \u0000 in JSON (after an even run of backslashes, else the
# backslash itself is escaped). PostgreSQL cannot store one in text: recorded in an event, it
# would stop the projections for everyone, so no body may carry one, whatever its field.
_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)


def _decoder(annotation: Any) -> msgspec.json.Decoder[Any]:
    decoder = _decoders.get(annotation)
    if decoder is None:
        decoder = _decoders[annotation] = msgspec.json.Decoder(annotation)
    return decoder


def _integral_floats_as_ints(value: Any) -> Any:
    """JSON has one number type: 6587.0 is an integer to JSON Schema (and to the API schema),
    though msgspec's strict decoder wants it spelled 6587."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_integral_floats_as_ints(item) for item in value]
    if isinstance(value, dict):
        return {key: _integral_floats_as_ints(item) for key, item in value.items()}
    return value


def _field(path: str) -> str:
    """msgspec's `$.items[0].text` as Litestar names it: `items[0].text`."""
    return path.removeprefix("$").removeprefix(".")


class StrictJsonRequest(Request[Any, Any, Any]):
    async def json(self) -> Any:
        if value_or_default(self._json, None) is not None:
            return self._json
        handler = self.scope.get("route_handler")
        data = handler.parsed_fn_signature.parameters.get("data") if handler else None
        if data is None or handler.resolve_type_decoders():
            return await super().json()  # no declared body type (or custom decoders): as before
        body = await self.body() or b"null"
        if _NUL.search(body):
            raise ValidationException(
                detail="The request contains a NUL character, which cannot be stored."
            )
        try:
            decoded = _decoder(data.annotation).decode(body)
        except msgspec.ValidationError as error:
            if "got `float`" not in str(error):
                raise self._refusal(error) from None
            try:  # the rare 6587.0 for an integer: the slow path, as strict
                plain = _integral_floats_as_ints(msgspec.json.decode(body))
                decoded = msgspec.convert(plain, data.annotation, strict=True)
            except msgspec.ValidationError as again:
                raise self._refusal(again) from None
        except msgspec.DecodeError:
            return await super().json()  # malformed JSON: Litestar's own 400
        self._json = self._connection_state.json = decoded
        return decoded

    def _refusal(self, error: msgspec.ValidationError) -> ValidationException:
        message, _, where = str(error).partition(" - at `")
        return ValidationException(
            detail=f"Validation failed for {self.method} {self.url.path}",
            extra=[{"message": message, "key": _field(where.rstrip("`")), "source": "body"}],
        )
