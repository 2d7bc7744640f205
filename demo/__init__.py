"""The demo bargaining table: the story as code, its contract texts as data (`negotiation demo`)."""

from demo.story import DEMO_ACCOUNTS, DEMO_TITLE, DemoAccount, load_demo

__all__ = ["DEMO_ACCOUNTS", "DEMO_TITLE", "DemoAccount", "load_demo"]
