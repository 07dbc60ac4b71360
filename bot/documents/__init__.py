"""Renderers of files the bot hands out: PDFs (documents, cards, leaflets) and PNG charts.

Every renderer here is plain synchronous code over plain data: callers run it off the event
loop (`asyncio.to_thread`), so a PDF never stalls the bot's other users.
"""
