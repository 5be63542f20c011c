#!/usr/bin/env python3
"""Writes SOURCE's bytes to TARGET in pieces, the way the issue's torn versions were made:
each piece is appended with its own open/write/close, PAUSE seconds apart; after piece
number GAP_AFTER (1-based) the writer sleeps GAP seconds instead of PAUSE.

    pieces.py SOURCE TARGET --piece 65536 --pause 0.25 [--gap-after 13 --gap 1.5]
"""
import argparse
import os
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("source")
    parser.add_argument("target")
    parser.add_argument("--piece", type=int, default=65536)
    parser.add_argument("--pause", type=float, default=0.5)
    parser.add_argument("--gap-after", type=int, default=0)
    parser.add_argument("--gap", type=float, default=0.0)
    args = parser.parse_args()
    with open(args.source, "rb") as f:
        data = f.read()
    open(args.target, "wb").close()
    pieces = [data[i:i + args.piece] for i in range(0, len(data), args.piece)]
    for number, piece in enumerate(pieces, start=1):
        with open(args.target, "ab") as f:
            f.write(piece)
        if number == len(pieces):
            break
        time.sleep(args.gap if number == args.gap_after else args.pause)


if __name__ == "__main__":
    main()
