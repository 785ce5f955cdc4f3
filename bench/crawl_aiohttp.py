#!/usr/bin/python3
"""bench/crawl_aiohttp.py URL [CONCURRENCY]: the tutorials' crawler, in Python.

Breadth first over the links of sayhi-server's /family/ID pages with
aiohttp (Debian's python3-aiohttp, the tutorials' tool): every page is
fetched once, each as soon as its URL is known, at most CONCURRENCY at a
time (aiohttp's TCPConnector limit, default 100). Prints one JSON line:
pages, levels, wall_s, cpu_s (user + system of this process), failed.
The reference bench/crawl.sh measures sayhi-async's crawl against."""
import asyncio
import json
import resource
import sys
import time
from urllib.parse import urljoin

import aiohttp


async def crawl(start, limit):
    seen = {start}
    depth_of = {start: 0}
    pages = failed = 0
    levels = 0
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=limit)) as session:
        tasks = set()

        async def fetch(url):
            nonlocal pages, failed, levels
            try:
                async with session.get(url) as resp:
                    body = await resp.json(content_type=None) if resp.status == 200 else None
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                body = None
            if body is None:
                failed += 1
                return
            pages += 1
            levels = max(levels, depth_of[url] + 1)
            for link in body.get("links", []):
                nxt = urljoin(url, link)
                if nxt not in seen:
                    seen.add(nxt)
                    depth_of[nxt] = depth_of[url] + 1
                    tasks.add(asyncio.ensure_future(fetch(nxt)))

        tasks.add(asyncio.ensure_future(fetch(start)))
        while tasks:
            done = [t for t in tasks if t.done()]
            for t in done:
                tasks.discard(t)
            if tasks:
                await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    return pages, levels, failed


def main():
    start = sys.argv[1]
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    t0 = time.monotonic()
    pages, levels, failed = asyncio.run(crawl(start, limit))
    wall = time.monotonic() - t0
    ru = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"pages": pages, "levels": levels, "wall_s": round(wall, 6),
                      "cpu_s": round(ru.ru_utime + ru.ru_stime, 6), "failed": failed}))


if __name__ == "__main__":
    main()
