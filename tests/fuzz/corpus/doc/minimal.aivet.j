1{"apiVersion": "aivet/v1", "kind": "dataset", "name": "acme/tickets", "version": "2026.09",
 "licenses": {"data": "CC-BY-4.0"}}
