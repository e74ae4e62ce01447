1{
  "@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld",
  "@graph": [
    {"type": "Organization", "spdxId": "urn:example:org", "name": "Example Lab"},
    {
      "type": "ai_AIPackage",
      "spdxId": "urn:example:pkg",
      "name": "leaf-counter",
      "software_packageVersion": "3.1",
      "suppliedBy": "urn:example:org",
      "software_downloadLocation": "https://github.com/example-lab/leaf-counter",
      "summary": "Counts leaves in greenhouse photos.",
      "ai_typeOfModel": ["regression"],
      "ai_domain": ["agriculture"],
      "ai_informationAboutApplication": "Estimating plant growth from daily photos.",
      "ai_limitation": "Unreliable under artificial purple light.",
      "ai_metric": [{"type": "DictionaryEntry", "key": "accuracy", "value": "0.91"}],
      "ai_safetyRiskAssessment": "low",
      "ai_useSensitivePersonalInformation": "no",
      "ai_autonomyType": "noAssertion",
      "ai_standardCompliance": ["ISO/IEC 42001"],
      "verifiedUsing": [{"type": "Hash", "algorithm": "sha256", "hashValue": "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"}]
    },
    {"type": "Relationship", "spdxId": "urn:example:rel1", "relationshipType": "hasDeclaredLicense",
     "from": "urn:example:pkg", "to": ["urn:example:lic"]},
    {"type": "Relationship", "spdxId": "urn:example:rel2", "relationshipType": "hasConcludedLicense",
     "from": "urn:example:pkg", "to": ["https://spdx.org/licenses/MIT"]},
    {"type": "simplelicensing_LicenseExpression", "spdxId": "urn:example:lic",
     "simplelicensing_licenseExpression": "Apache-2.0 OR MIT"}
  ]
}
