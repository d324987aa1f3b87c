"""Reads a Prometheus text exposition on stdin and prints its samples as JSON, parsed by the
official Prometheus Python client (prometheus_client.parser), the format's reference parser."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

out = []
for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        out.append({"family": family.name, "type": family.type, "name": s.name, "labels": s.labels, "value": s.value})
json.dump(out, sys.stdout)
