"""The site's ASGI application plus /ws/bench-echo/: the baseline of bench/chat_fanout.py.

The echo consumer is the cheapest fan-out Channels can do: every socket joins the group
"bench.echo" on connect, and a text frame from any of them is group_sent to the group,
each member forwarding it unchanged to its socket. It sits behind the same origin check
and session authentication as the site's sockets, in the same Daphne process and on the
same channel layer, so the chat consumer's figures divided by its figures give the cost
of the chat itself (database writes, access checks, payloads), not of the transport.
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
# Django must be set up before channels.auth imports the auth models.
django.setup()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from community.asgi import application as site_application  # noqa: E402

ECHO_PATH = "/ws/bench-echo/"
ECHO_GROUP = "bench.echo"


class EchoConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        await self.channel_layer.group_add(ECHO_GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(ECHO_GROUP, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        if text_data is not None:
            await self.channel_layer.group_send(
                ECHO_GROUP, {"type": "bench.echo", "text": text_data}
            )

    async def bench_echo(self, event):
        await self.send(text_data=event["text"])


echo_application = AllowedHostsOriginValidator(AuthMiddlewareStack(EchoConsumer.as_asgi()))


async def application(scope, receive, send):
    """The site's application, except the echo socket."""
    if scope["type"] == "websocket" and scope["path"] == ECHO_PATH:
        return await echo_application(scope, receive, send)
    return await site_application(scope, receive, send)
