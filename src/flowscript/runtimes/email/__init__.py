"""The email sink (runtimes.md §5): SMTP through aiosmtplib, or SendGrid's v3 API."""

from flowscript.runtimes.email.runtime import EmailSinkRuntime

__all__ = ["EmailSinkRuntime"]
