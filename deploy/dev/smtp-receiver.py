#!/usr/bin/python3
"""A real SMTP server for the alert tests (Debian's python3-aiosmtpd): STARTTLS required, then AUTH as USER with
PASSWORD; each message it takes is appended as a JSON line to OUT. Prints the port it listens on (127.0.0.1, chosen by
the kernel), then serves until killed.

usage: smtp-receiver.py OUT CERT KEY USER PASSWORD
"""
import asyncio
import json
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

out, cert, key, user, password = sys.argv[1:6]


class Handler:
    async def handle_DATA(self, server, session, envelope):
        login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        with open(out, "a", encoding="utf-8") as f:
            f.write(json.dumps({"from": envelope.mail_from, "to": envelope.rcpt_tos, "login": login,
                                "data": envelope.content.decode("utf-8", "replace")}) + "\n")
        return "250 OK: queued"


def authenticate(server, session, envelope, mechanism, data):
    ok = isinstance(data, LoginPassword) and data.login.decode() == user and data.password.decode() == password
    return AuthResult(success=ok, handled=False, auth_data=data if ok else None)


async def main():
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(Handler(), hostname="localhost", tls_context=context, require_starttls=True, authenticator=authenticate,
                     auth_required=True, auth_require_tls=True),
        "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await asyncio.Event().wait()


asyncio.run(main())
