"""A fake Telegram for tests: the Bot API over real HTTP, and virtual users driving the bot."""

from bot.telegram.emulator import BotAction, BotApiEmulator, BotApiError
from tests.fake_telegram.server import FakeTelegramServer
from tests.fake_telegram.users import VirtualUser

__all__ = ["BotAction", "BotApiEmulator", "BotApiError", "FakeTelegramServer", "VirtualUser"]
