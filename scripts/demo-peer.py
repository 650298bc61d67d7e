#!/usr/bin/python3
"""Scripted colleague for the Palisade demo.

Signs in as bob@acme.test to the local demo server, greets Alice as soon as
she comes online, and answers her messages politely: it shows "typing…"
(XEP-0085 chat states) before each answer, sends delivery receipts for her
messages and asks for receipts on its own (XEP-0184).

Run with Debian's python3 and python3-slixmpp:

    /usr/bin/python3 scripts/demo-peer.py --host 127.0.0.1 --port 5222 \
        --ca-file .run/demo/certs/ca.crt --password demo

With --send-once BODY it signs in as --jid, writes BODY to --friend once and
stops: the demo uses it for strangers whose first message lands in Alice's
Requests area.

With a device certificate for its account (by default
.run/demo/identity/LOCALPART.pem, its chain, and LOCALPART.key, the Ed25519
device key as PEM PKCS#8 or base64 DER, both written by scripts/demo.sh with
the demo identity CA; or --identity-cert and --identity-key), it publishes
the certificate on its PEP node urn:palisade:devices:1 and signs every
message it sends (<signature xmlns="urn:palisade:signature:1"/>, see
docs/signed-messages.md), so that Palisade shows Bob as verified. This needs
python3-cryptography; without the files it runs unsigned.

The password may also come from the PALISADE_DEMO_PASSWORD environment
variable. The bot stops on SIGINT/SIGTERM or when the server goes away.
"""

import argparse
import asyncio
import base64
import datetime
import hashlib
import logging
import os
import random
import re
import signal
import sys
import time
import urllib.parse
import xml.etree.ElementTree as ET

import slixmpp

NS_DEVICES = "urn:palisade:devices:1"
NS_SIGNATURE = "urn:palisade:signature:1"
NS_PUBSUB = "http://jabber.org/protocol/pubsub"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

GREETING = (
    "Hi Alice — welcome to Palisade! I'm Bob from IT. "
    "This chat runs on ACME's own server. "
    "Send me a message and I'll answer right here."
)

# Canned answers, most specific first: (patterns, answer). Patterns are
# regular expressions matched as whole words, case-insensitively.
ANSWERS = [
    (("files?", "upload", "attachments?", "send you"),
     "Files to colleagues at acme.test are fine. Files to other organisations need IT's approval first."),
    (("password", "log ?in", "sign in"),
     "Never send passwords over chat — not even to IT. Palisade keeps yours in the OS keyring."),
    (("how are you", "how's it going", "how are things"),
     "All good here, thanks for asking. How is your first week going?"),
    (("thanks?", "thank you", "thx", "cheers"), "You're welcome — happy to help."),
    (("bye", "see you", "later"), "See you later, Alice!"),
    (("hello", "hi", "hey", "morning", "hallo"), "Hello Alice! Nice to hear from you."),
]
ANSWER_RES = [(re.compile(r"\b(" + "|".join(words) + r")\b", re.IGNORECASE), reply)
              for words, reply in ANSWERS]


def file_name(body: str):
    """The file name when body is just a file link (XEP-0363 upload), else None."""
    text = body.strip()
    if " " in text or not text.startswith("https://"):
        return None
    name = urllib.parse.unquote(urllib.parse.urlsplit(text).path.rsplit("/", 1)[-1])
    return name or None


def answer_for(body: str) -> str:
    name = file_name(body)
    if name:
        return f"Thanks, Alice — I got your file “{name}”."
    for pattern, reply in ANSWER_RES:
        if pattern.search(body):
            return reply
    if body.rstrip().endswith("?"):
        return f"Good question! Let me check on “{body.strip()}” and get back to you."
    short = body.strip()
    if len(short) > 80:
        short = short[:77] + "…"
    return f"Thanks, Alice — got it: “{short}”"


def log(msg: str) -> None:
    print(f"demo-peer {time.strftime('%H:%M:%S')} {msg}", flush=True)


class DeviceIdentity:
    """The bot's device key and certificate chain, for publishing and signing."""

    def __init__(self, cert_path: str, key_path: str):
        from cryptography.hazmat.primitives import serialization

        with open(cert_path, "rb") as f:
            pem = f.read()
        self.chain = [base64.b64decode(b"".join(m.split()))
                      for m in re.findall(rb"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", pem, re.S)]
        if not self.chain:
            raise ValueError(f"{cert_path} holds no PEM certificate")
        with open(key_path, "rb") as f:
            raw = f.read().strip()
        if raw.startswith(b"-----BEGIN"):
            self.key = serialization.load_pem_private_key(raw, password=None)
        else:  # the keyring form: base64 of PKCS#8 DER
            self.key = serialization.load_der_private_key(base64.b64decode(raw), password=None)
        pub = self.key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        h = hashlib.sha256(pub).hexdigest()[:32]
        self.device_id = "-".join(h[i:i + 4] for i in range(0, 32, 4))

    def item(self) -> ET.Element:
        device = ET.Element(f"{{{NS_DEVICES}}}device", {"id": self.device_id})
        for der in self.chain:
            ET.SubElement(device, f"{{{NS_DEVICES}}}cert").text = base64.b64encode(der).decode()
        return device

    def signature(self, frm: str, to: str, msg_id: str, body: str) -> ET.Element:
        """The signature element over the canonical form (docs/signed-messages.md)."""
        now = datetime.datetime.now(datetime.timezone.utc)
        # RFC 3339 with the fraction's trailing zeros dropped, as Go's
        # time.RFC3339Nano prints it: the receiver signs over that form.
        frac = f"{now.microsecond:06d}".rstrip("0")
        stamp = now.strftime("%Y-%m-%dT%H:%M:%S") + ("." + frac if frac else "") + "Z"
        data = f"palisade-sig/1\n{frm}\n{to}\n{msg_id}\n{stamp}\n{body}".encode("utf-8")
        sig = ET.Element(f"{{{NS_SIGNATURE}}}signature", {"device": self.device_id, "time": stamp})
        sig.text = base64.b64encode(self.key.sign(data)).decode()
        return sig


class Peer(slixmpp.ClientXMPP):
    def __init__(self, jid: str, password: str, friend: str, typing_delay: float):
        super().__init__(jid, password)
        self.friend = slixmpp.JID(friend).bare
        self.typing_delay = typing_delay
        self.friend_online = False
        self.failed = False
        self.once = None
        self.identity = None  # DeviceIdentity, when the bot has a certificate
        # Accept Alice's subscription requests and subscribe back.
        self.roster.auto_authorize = True
        self.roster.auto_subscribe = True
        self.register_plugin("xep_0030")  # service discovery
        self.register_plugin("xep_0085")  # chat states
        self.register_plugin("xep_0184")  # delivery receipts
        self.register_plugin("xep_0199")  # ping
        self.plugin["xep_0184"].auto_ack = True
        self.plugin["xep_0184"].auto_request = True
        self.add_event_handler("session_start", self.on_start)
        self.add_event_handler("message", self.on_message)
        # slixmpp names an available presence's event after its show
        # (presence_dnd during the user's focus hours, presence_away, ...).
        for show in ("available", "chat", "away", "xa", "dnd"):
            self.add_event_handler(f"presence_{show}", self.on_available)
        self.add_event_handler("presence_unavailable", self.on_unavailable)
        self.add_event_handler("receipt_received", self.on_receipt)
        self.add_event_handler("failed_auth", self.on_failed_auth)
        self.add_event_handler("disconnected", self.on_disconnected)

    async def on_start(self, _event):
        log(f"signed in as {self.boundjid.full}")
        if self.identity is not None:
            await self.publish_device()
        if self.once is not None:
            await self.send_once(self.once)
            return
        self.send_presence(pstatus="Happy to help")
        await self.get_roster()
        item = self.client_roster[self.friend]
        if item["subscription"] not in ("to", "both"):
            log(f"asking {self.friend} for a presence subscription")
            self.send_presence(pto=self.friend, ptype="subscribe")

    async def publish_device(self):
        """Publish the device certificate on the own PEP node, open to all."""
        iq = self.make_iq_set(ito=self.boundjid.bare)
        pubsub = ET.Element(f"{{{NS_PUBSUB}}}pubsub")
        publish = ET.SubElement(pubsub, f"{{{NS_PUBSUB}}}publish", {"node": NS_DEVICES})
        item = ET.SubElement(publish, f"{{{NS_PUBSUB}}}item", {"id": self.identity.device_id})
        item.append(self.identity.item())
        options = ET.SubElement(pubsub, f"{{{NS_PUBSUB}}}publish-options")
        form = ET.SubElement(options, "{jabber:x:data}x", {"type": "submit"})
        for var, value, typ in (("FORM_TYPE", "http://jabber.org/protocol/pubsub#publish-options", "hidden"),
                                ("pubsub#access_model", "open", None),
                                # Room for every device of the account (Prosody keeps one item by default).
                                ("pubsub#max_items", "max", None)):
            field = ET.SubElement(form, "{jabber:x:data}field", {"var": var, **({"type": typ} if typ else {})})
            ET.SubElement(field, "{jabber:x:data}value").text = value
        iq.append(pubsub)
        try:
            await iq.send(timeout=10)
            log(f"published device {self.identity.device_id}")
        except Exception as e:  # the bot still chats, unverified
            log(f"could not publish the device certificate: {e}")

    def signed(self, msg, to: str, body: str):
        """Give msg an id and, with a device key, the device signature."""
        if not msg["id"]:
            msg["id"] = self.new_id()
        if self.identity is not None:
            msg.append(self.identity.signature(self.boundjid.bare, slixmpp.JID(to).bare, msg["id"], body))
        return msg

    async def on_available(self, pres):
        if pres["from"].bare == self.friend:
            log(f"{self.friend} shows {pres['show'] or 'available'}")
        if pres["from"].bare != self.friend or self.friend_online:
            return
        self.friend_online = True
        log(f"{pres['from']} is online; greeting")
        await self.say(self.friend, GREETING)

    def on_unavailable(self, pres):
        if pres["from"].bare == self.friend and self.friend_online:
            # Greet again next time she signs in (resources may overlap).
            resources = self.client_roster[self.friend].resources
            if not resources:
                self.friend_online = False
                log(f"{self.friend} went offline")

    async def on_message(self, msg):
        if msg["type"] not in ("chat", "normal") or not msg["body"]:
            return
        sender = msg["from"]
        log(f"message from {sender}: {msg['body']!r}")
        await self.say(sender.bare, answer_for(msg["body"]))

    async def say(self, to: str, body: str):
        self.send_chat_state(to, "composing")
        await asyncio.sleep(self.typing_delay + random.uniform(0, self.typing_delay / 2))
        reply = self.make_message(mto=to, mbody=body, mtype="chat")
        reply["chat_state"] = "active"
        self.signed(reply, to, body).send()
        log(f"sent to {to}: {body!r}")

    def send_chat_state(self, to: str, state: str):
        m = self.make_message(mto=to, mtype="chat")
        m["chat_state"] = state
        m.send()

    async def send_once(self, body: str):
        """--send-once: write one message to the friend, then leave."""
        reply = self.make_message(mto=self.friend, mbody=body, mtype="chat")
        self.signed(reply, self.friend, body).send()
        log(f"sent to {self.friend}: {body!r}")
        await asyncio.sleep(1)
        self.disconnect()

    def on_receipt(self, msg):
        log(f"delivered: {msg['receipt']} to {msg['from']}")

    def on_failed_auth(self, _event):
        log(f"authentication failed (wrong password for {self.boundjid.bare}?)")
        self.failed = True
        self.disconnect()

    def on_disconnected(self, reason):
        log(f"disconnected: {reason}")
        asyncio.get_event_loop().stop()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jid", default="bob@acme.test")
    ap.add_argument("--password", default=os.environ.get("PALISADE_DEMO_PASSWORD"))
    ap.add_argument("--friend", default="alice@acme.test", help="who to greet and answer")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=5222)
    ap.add_argument("--ca-file", required=True, help="PEM CA certificate the server's certificate chains to")
    ap.add_argument("--typing-delay", type=float, default=1.2, help="seconds of 'typing…' before each answer")
    ap.add_argument("--send-once", metavar="BODY",
                    help="send BODY to the friend once (delivered later if they are offline), then stop")
    ap.add_argument("--identity-cert", metavar="PEM",
                    help="device certificate chain (default .run/demo/identity/LOCALPART.pem when it exists)")
    ap.add_argument("--identity-key", metavar="FILE",
                    help="device key, PEM PKCS#8 or base64 DER (default .run/demo/identity/LOCALPART.key)")
    ap.add_argument("--debug", action="store_true")
    args = ap.parse_args()
    if not args.password:
        ap.error("no password: use --password or PALISADE_DEMO_PASSWORD")

    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    if not args.debug:
        logging.getLogger("asyncio").setLevel(logging.CRITICAL)  # quiet shutdown

    peer = Peer(args.jid, args.password, args.friend, args.typing_delay)
    peer.once = args.send_once
    local = slixmpp.JID(args.jid).user
    cert = args.identity_cert or os.path.join(ROOT, ".run", "demo", "identity", local + ".pem")
    key = args.identity_key or os.path.join(ROOT, ".run", "demo", "identity", local + ".key")
    if os.path.exists(cert) and os.path.exists(key):
        try:
            peer.identity = DeviceIdentity(cert, key)
            log(f"device {peer.identity.device_id}: publishing its certificate and signing messages")
        except Exception as e:  # a broken or missing file: say so, chat unsigned
            log(f"no device identity ({e}); messages are not signed")
    elif args.identity_cert or args.identity_key:
        ap.error(f"device certificate or key not found: {cert}, {key}")
    peer.ca_certs = args.ca_file  # trust the local demo CA (and only it)
    peer.connect(address=(args.host, args.port), force_starttls=True)

    loop = asyncio.get_event_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, lambda: peer.disconnect(wait=1.0))
    try:
        loop.run_forever()
    finally:
        # Let slixmpp's pending tasks end before the loop closes, so that a
        # clean stop prints no "Event loop is closed" noise.
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.close()
    return 1 if peer.failed else 0


if __name__ == "__main__":
    sys.exit(main())
