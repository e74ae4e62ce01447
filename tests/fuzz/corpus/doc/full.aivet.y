0# A manifest that uses every field of aivet/v1.
apiVersion: aivet/v1
kind: model
name: acme/support-llm-7b
version: v1.3
publisher: Acme Research
description: A 7B instruction-tuned model for answering support tickets.
source:
  url: https://huggingface.co/acme/support-llm-7b
  repository: https://github.com/acme/support-llm
  revision: 0f3c9a1d2b4e5f60718293a4b5c6d7e8f9012345
  hub: huggingface
use:
  purpose: Draft answers to customer support tickets for human agents.
  commercial: true
  audience: internal
  impact: medium
  customer_facing: false
  hosting: self_hosted
  distribution: false
  high_stakes_domains: []
  users: 250
licenses:
  code: Apache-2.0
  weights:
    id: other
    name: Acme Model License 1.0
    link: https://example.org/acme-model-license
  data: CC-BY-4.0 AND ODC-By-1.0
  docs: CC-BY-4.0
model_card:
  path: cards/support-llm.md
  url: https://huggingface.co/acme/support-llm-7b/blob/main/README.md
  sections:
    intended_use: Drafting support replies reviewed by staff.
    out_of_scope: Legal, medical or financial advice.
    limitations: English only; may invent product names.
    training_data: Public forum threads and synthetic tickets.
    evaluation: Accuracy on 2,000 held-out tickets.
artifacts:
  - path: weights/model.safetensors
    format: safetensors
    sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
    size: 14483464192
    url: https://huggingface.co/acme/support-llm-7b/resolve/main/model.safetensors
    inspected:
      sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
      format: safetensors
      size: 14483464192
      sha256_match: true
      globals: []
  - path: weights/legacy.bin
    format: pickle
    inspected:
      format: pickle
      globals:
        - {module: collections, name: OrderedDict, rating: safe}
        - {module: posix, name: system, rating: dangerous}
      error: truncated archive
dependencies:
  - name: torch
    version: "==2.1.0"
    ecosystem: pypi
    license: BSD-3-Clause
    maintained: true
    last_release: 2024-10-17
    vulnerabilities:
      - id: CVE-2024-31580
        severity: medium
        fixed_in: 2.2.0
        summary: Out-of-bounds read in an operator.
  - name: tokenizers
    version: ">=0.15"
    license: {id: Apache-2.0, link: https://www.apache.org/licenses/LICENSE-2.0}
runtime:
  downloads_at_runtime: false
  downloads: []
  remote_code: false
  network_access: false
  credentials_separated: true
  secrets_in_examples: false
data_handling:
  personal_data: true
  regulated_data: [financial]
  data_classes:
    prompts: [ticket_text, product]
    retrieval: [kb_articles]
    logs: [ticket_id]
  masking: {enabled: true, fields: [email, phone]}
  access: {prompts: [support], outputs: [support], logs: [sre]}
  retention:
    test_data: 90d
    production_records: 1y
    logs: 30d
    embeddings: 6mo
    backups: 2w
  output_leakage_review: true
evaluation:
  test_sets:
    - name: held-out tickets
      size: 2000
      source: internal
      covers: [realistic_tasks, edge_cases, refusals]
  rubric: Agents score each draft from 1 to 5.
  metrics:
    accuracy: 0.91
    completeness: 0.87
    hallucination_rate: 0.03
    citation_accuracy: 0.95
    latency_p95_ms: 850
    cost_per_1k_requests: 0.4
    privacy_leak_rate: 0
    human_intervention_rate: 0.22
  workflow_tested: true
  leaderboard_only: false
  date: 2026-09-01
operations:
  access_control: SSO with role-based access
  logging: true
  rate_limits: true
  abuse_prevention: false
  patching: monthly window
  backup: true
  incident_response: true
  update_procedure: staged rollout behind a flag
  monitoring: true
  fallback: route to a human agent
  human_review: every draft is reviewed before sending
team:
  ml_expertise: medium
  infra_capacity: high
  security_review: true
  support_needed: false
  compliance_needs: standard
  compliance_expertise: true
  on_call: true
decisions:
  owner: support-platform
  decision: approved for internal pilot
  date: 2026-09-15
  review_by: 2027-03-15
  assumptions:
    - Drafts are always reviewed by an agent.
  known_limits:
    - English only.
