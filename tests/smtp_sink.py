#!/usr/bin/python3
"""SMTP sink for the tests (Debian python3-aiosmtpd, run with /usr/bin/python3).

  smtp_sink.py serve DIR [--port N] [--port-file FILE]
      accepts every message on 127.0.0.1 (a free port unless --port) and stores each one as
      DIR/<n>.eml (the envelope in DIR/<n>.json; n goes on from the files already there); writes the port to FILE once listening;
      stops on SIGTERM.
  smtp_sink.py inspect FILE.eml
      prints a JSON summary of the message parsed with the email module: decoded headers,
      whether Date and Message-ID are valid, the MIME structure and the decoded text parts.
"""
import argparse
import email
import email.policy
import email.utils
import json
import os
import signal
import socket
import sys
import threading


def serve(args):
    from aiosmtpd.controller import Controller

    os.makedirs(args.dir, exist_ok=True)
    lock = threading.Lock()
    count = [len([n for n in os.listdir(args.dir) if n.endswith(".eml")])]  # a restart appends

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            with lock:
                count[0] += 1
                n = count[0]
            base = os.path.join(args.dir, "%d" % n)
            with open(base + ".tmp", "wb") as f:
                f.write(envelope.original_content)
            with open(base + ".json", "w") as f:
                json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos}, f)
            os.rename(base + ".tmp", base + ".eml")
            return "250 OK stored"

    port = args.port
    if not port:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
    ctl = Controller(Handler(), hostname="127.0.0.1", port=port)
    ctl.start()
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write("%d\n" % port)
        os.rename(args.port_file + ".tmp", args.port_file)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    ctl.stop()


def inspect(args):
    with open(args.file, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    out = {
        "subject": str(msg["subject"]),
        "from": email.utils.parseaddr(str(msg["from"]))[1],
        "to": [a for _, a in email.utils.getaddresses([str(v) for v in msg.get_all("to", [])])],
        "mime_version": str(msg["mime-version"]),
        "content_type": msg.get_content_type(),
        "defects": [str(d) for d in msg.defects],
        "parts": [],
    }
    try:
        out["date_ok"] = email.utils.parsedate_to_datetime(str(msg["date"])).tzinfo is not None
    except (TypeError, ValueError):
        out["date_ok"] = False
    mid = str(msg["message-id"] or "")
    out["message_id"] = mid
    out["message_id_ok"] = mid.startswith("<") and mid.endswith(">") and "@" in mid and " " not in mid
    with open(args.file, "rb") as f:
        raw = f.read()
    out["raw_subject"] = next((l.decode("ascii", "replace") for l in raw.split(b"\r\n")
                               if l.lower().startswith(b"subject:")), "")
    if msg.is_multipart():
        for part in msg.iter_parts():
            out["parts"].append({"content_type": part.get_content_type(),
                                 "charset": part.get_content_charset(),
                                 "defects": [str(d) for d in part.defects],
                                 "body": part.get_content()})
    json.dump(out, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("dir")
    s.add_argument("--port", type=int, default=0)
    s.add_argument("--port-file")
    i = sub.add_parser("inspect")
    i.add_argument("file")
    args = p.parse_args()
    serve(args) if args.cmd == "serve" else inspect(args)


if __name__ == "__main__":
    main()
