#!/usr/bin/python3
"""tests/lib/smtp_sink.py - an SMTP server for the tests (aiosmtpd) on
127.0.0.1, port 0. Prints its port on the first line of stdout, then writes
each message it receives to DIR/<n>.eml and its envelope to DIR/<n>.json.

    smtp_sink.py DIR [--refuse ADDR] [--drop-at rcpt|data] [--reject-data]

--refuse ADDR   answer RCPT TO:<ADDR> with 550
--drop-at X     close the connection without an answer at RCPT or after
                the message data
--reject-data   answer the end of the message data with 554
"""
import asyncio
import json
import os
import sys

from aiosmtpd.smtp import SMTP

args = sys.argv[1:]
outdir = args.pop(0)
refuse = None
drop_at = None
reject_data = False
while args:
    a = args.pop(0)
    if a == "--refuse":
        refuse = args.pop(0).lower()
    elif a == "--drop-at":
        drop_at = args.pop(0)
    elif a == "--reject-data":
        reject_data = True
    else:
        sys.exit("smtp_sink.py: unknown argument " + a)


class Handler:
    count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if drop_at == "rcpt":
            server.transport.close()
            return "250 OK"
        if refuse and address.lower() == refuse:
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if drop_at == "data":
            server.transport.close()
            return "250 OK"
        if reject_data:
            return "554 5.7.1 Message refused: spam score 9.7"
        Handler.count += 1
        base = os.path.join(outdir, str(Handler.count))
        with open(base + ".eml", "wb") as f:
            f.write(envelope.original_content)
        with open(base + ".json", "w") as f:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos}, f)
        return "250 Message accepted"


async def main():
    loop = asyncio.get_running_loop()
    handler = Handler()
    server = await loop.create_server(lambda: SMTP(handler, decode_data=False, hostname="sink.test"),
                                      "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()

asyncio.run(main())
