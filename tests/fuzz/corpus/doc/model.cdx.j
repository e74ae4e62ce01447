1{
  "bomFormat": "CycloneDX",
  "specVersion": "1.6",
  "version": 1,
  "metadata": {
    "component": {"type": "application", "name": "ticket-router", "version": "2.0.0"}
  },
  "components": [
    {
      "type": "machine-learning-model",
      "bom-ref": "model-router",
      "group": "example-org",
      "name": "router-classifier",
      "version": "1.2.0",
      "publisher": "Example Org",
      "description": "Routes support tickets to a queue.",
      "licenses": [{"license": {"id": "Apache-2.0"}}],
      "hashes": [
        {"alg": "SHA-1", "content": "0123456789abcdef0123456789abcdef01234567"},
        {"alg": "SHA-256", "content": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}
      ],
      "externalReferences": [
        {"type": "distribution", "url": "https://huggingface.co/example-org/router-classifier"},
        {"type": "vcs", "url": "https://github.com/example-org/router"}
      ],
      "modelCard": {
        "modelParameters": {
          "task": "text-classification",
          "datasets": [{"ref": "data-tickets"}]
        },
        "quantitativeAnalysis": {
          "performanceMetrics": [
            {"type": "accuracy", "value": "0.93", "slice": "held-out"},
            {"type": "macro-f1", "value": "0.88"}
          ]
        },
        "considerations": {
          "users": ["Support staff who check the suggested queue."],
          "useCases": ["Suggest a queue for a new ticket."],
          "technicalLimitations": ["Weak on tickets shorter than five words."],
          "ethicalConsiderations": [{"name": "automation bias", "mitigationStrategy": "A person confirms every route."}],
          "fairnessAssessments": [{"groupAtRisk": "Customers writing in dialect", "harms": "Slower answers"}]
        }
      }
    },
    {"type": "machine-learning-model", "bom-ref": "model-spam", "name": "spam-filter", "version": "0.3"},
    {"type": "data", "bom-ref": "data-tickets", "name": "ticket-archive"},
    {"type": "library", "bom-ref": "lib-torch", "name": "torch", "version": "2.3.1",
     "purl": "pkg:pypi/torch@2.3.1", "licenses": [{"license": {"id": "BSD-3-Clause"}}]}
  ],
  "dependencies": [
    {"ref": "model-router", "dependsOn": ["lib-torch", "data-tickets"]}
  ]
}
