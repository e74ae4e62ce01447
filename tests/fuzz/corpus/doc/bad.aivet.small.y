2apiVersion: aivet/v1
kind: modle
name: "bad name!"
publisher: 12
licences:
  code: MIT
licenses:
  weights: 3
  data: {link: https://example.org}
use:
  commercial: yes
  audience: everyone
  users: -5
artifacts:
  - path: a.bin
    sha256: abc123
    format: pickle
dependencies:
  - version: "1.0"
    last_release: 2024-13-01
data_handling:
  retention:
    logs: forever
operations:
  logging: ""
  monitoring: 1
