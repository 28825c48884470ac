"""Parses a Prometheus text exposition with the official client's parser and prints every sample as JSON.

Usage: parse_metrics.py FILE. Exit status 0 with a JSON list of {family, type, name, labels, value} on
stdout; 1 (with the parser's complaint on stderr) when the text is not valid exposition format.
Debian: apt-get install python3-prometheus-client.
"""
import json
import math
import sys

from prometheus_client.parser import text_string_to_metric_families


def main(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    samples = []
    try:
        for family in text_string_to_metric_families(text):
            for s in family.samples:
                value = s.value
                samples.append({
                    "family": family.name,
                    "type": family.type,
                    "name": s.name,
                    "labels": s.labels,
                    "value": None if math.isnan(value) else value,
                })
    except Exception as e:  # the parser raises ValueError (and others) on malformed input
        print("not valid Prometheus text format: %r" % (e,), file=sys.stderr)
        return 1
    json.dump(samples, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
