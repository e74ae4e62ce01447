#!/usr/bin/env python3
"""Generate policies/data/licenses.yaml, aivet's license knowledge base.

The facts of every SPDX license and exception (id, name, OSI approved, FSF
libre, deprecated, reference URL) come from the SPDX license-list JSON files
(licenses.json and exceptions.json of spdx/license-list-data).  The judgement
on each license (category, commercial use, conditions, open source or not) is
aivet's own and lives in the classification tables below; licenses that are
not in the SPDX list (the AI model licenses and the Hugging Face `license:`
ids) are described here in full.

This script reads only the files it is given and writes YAML; it never needs
license texts.  Run it again when a new SPDX list is released:

    python3 policies/gen-licenses.py licenses.json exceptions.json \
        -o policies/data/licenses.yaml [--hf-ids hf-license-identifiers.tsv]

With --hf-ids, every Hugging Face license id listed in the TSV file (first
column) must resolve to an entry, or the script fails: that keeps the table
below complete when Hugging Face adds an id.
"""

import argparse
import json
import re
import sys

CATEGORIES = (
    "public-domain", "permissive", "weak-copyleft", "strong-copyleft", "network-copyleft",
    "share-alike", "non-commercial", "use-restricted", "source-available", "proprietary",
    "unknown",
)
CONDITIONS = (
    "attribution", "notice", "share-alike", "use-restrictions", "user-threshold", "naming",
    "no-commercial", "source-disclosure", "network-disclosure",
)

# Per category: commercial use and the usual conditions.  An explicit entry
# below may override either.
FAMILY = {
    "public-domain": ("yes", []),
    "permissive": ("yes", ["attribution", "notice"]),
    "weak-copyleft": ("yes", ["attribution", "notice", "source-disclosure"]),
    "strong-copyleft": ("yes", ["attribution", "notice", "share-alike", "source-disclosure"]),
    "network-copyleft": ("yes", ["attribution", "notice", "share-alike", "source-disclosure",
                                 "network-disclosure"]),
    "share-alike": ("yes", ["attribution", "share-alike"]),
    "non-commercial": ("no", ["attribution", "no-commercial"]),
    "use-restricted": ("conditional", ["attribution", "use-restrictions"]),
    "source-available": ("conditional", ["notice", "use-restrictions"]),
    "proprietary": ("no", []),
    "unknown": ("conditional", []),
}

# SPDX ids classified one by one (exact id, case-sensitive as SPDX spells it).
SPDX_EXACT = {
    "0BSD": "public-domain", "CC0-1.0": "public-domain", "Unlicense": "public-domain",
    "PDDL-1.0": "public-domain", "CC-PDDC": "public-domain", "CC-PDM-1.0": "public-domain",
    "WTFPL": "public-domain", "MIT-0": "public-domain", "SAX-PD": "public-domain",
    "SAX-PD-2.0": "public-domain", "libselinux-1.0": "public-domain",
    "Apache-1.0": "permissive", "Apache-1.1": "permissive", "Apache-2.0": "permissive",
    "ISC": "permissive", "Zlib": "permissive", "BSL-1.0": "permissive", "PostgreSQL": "permissive",
    "NCSA": "permissive", "curl": "permissive", "Python-2.0": "permissive",
    "Python-2.0.1": "permissive", "PSF-2.0": "permissive", "CNRI-Python": "permissive",
    "Artistic-2.0": "permissive", "Artistic-1.0": "permissive", "Artistic-1.0-Perl": "permissive",
    "Artistic-1.0-cl8": "permissive", "BlueOak-1.0.0": "permissive", "UPL-1.0": "permissive",
    "ECL-1.0": "permissive", "ECL-2.0": "permissive", "EFL-1.0": "permissive",
    "EFL-2.0": "permissive", "Entessa": "permissive", "Fair": "permissive",
    "HPND": "permissive", "ICU": "permissive", "Intel": "permissive", "Jam": "permissive",
    "MirOS": "permissive", "Multics": "permissive", "NTP": "permissive", "Naumen": "permissive",
    "OLDAP-2.8": "permissive", "PHP-3.0": "permissive", "PHP-3.01": "permissive",
    "UCL-1.0": "weak-copyleft", "Unicode-3.0": "permissive", "Unicode-DFS-2016": "permissive",
    "Unicode-DFS-2015": "permissive", "W3C": "permissive", "W3C-20150513": "permissive",
    "W3C-19980720": "permissive", "Xnet": "permissive", "ZPL-2.0": "permissive",
    "ZPL-2.1": "permissive", "ZPL-1.1": "permissive", "AFL-1.1": "permissive",
    "AFL-1.2": "permissive", "AFL-2.0": "permissive", "AFL-2.1": "permissive",
    "AFL-3.0": "permissive", "AAL": "permissive", "CATOSL-1.1": "weak-copyleft",
    "MulanPSL-1.0": "permissive", "MulanPSL-2.0": "permissive", "NASA-1.3": "weak-copyleft",
    "MS-PL": "permissive", "MS-RL": "weak-copyleft", "OFL-1.1": "weak-copyleft",
    "OFL-1.1-RFN": "weak-copyleft", "OFL-1.1-no-RFN": "weak-copyleft", "OFL-1.0": "weak-copyleft",
    "OGTSL": "weak-copyleft", "LPPL-1.3c": "permissive", "LPPL-1.3a": "permissive",
    "LPL-1.0": "weak-copyleft", "LPL-1.02": "weak-copyleft", "IPA": "weak-copyleft",
    "IPL-1.0": "weak-copyleft", "CPL-1.0": "weak-copyleft", "CPAL-1.0": "network-copyleft",
    "CUA-OPL-1.0": "weak-copyleft", "Motosoto": "weak-copyleft", "Nokia": "weak-copyleft",
    "NPOSL-3.0": "network-copyleft", "OSL-1.0": "network-copyleft", "OSL-2.0": "network-copyleft",
    "OSL-2.1": "network-copyleft", "OSL-3.0": "network-copyleft", "OCLC-2.0": "weak-copyleft",
    "OSET-PL-2.1": "weak-copyleft", "QPL-1.0": "weak-copyleft", "RPL-1.1": "network-copyleft",
    "RPL-1.5": "network-copyleft", "RPSL-1.0": "weak-copyleft", "RSCPL": "weak-copyleft",
    "SimPL-2.0": "strong-copyleft", "SISSL": "weak-copyleft", "Sleepycat": "strong-copyleft",
    "SPL-1.0": "weak-copyleft", "VSL-1.0": "permissive", "Watcom-1.0": "weak-copyleft",
    "wxWindows": "weak-copyleft", "Frameworx-1.0": "weak-copyleft", "EUDatagrid": "permissive",
    "NGPL": "strong-copyleft", "OLFL-1.3": "permissive", "CAL-1.0": "network-copyleft",
    "CAL-1.0-Combined-Work-Exception": "network-copyleft", "CECILL-2.1": "strong-copyleft",
    "CECILL-2.0": "strong-copyleft", "CECILL-1.0": "strong-copyleft",
    "CECILL-1.1": "strong-copyleft", "CECILL-B": "permissive", "CECILL-C": "weak-copyleft",
    "CERN-OHL-P-2.0": "permissive", "CERN-OHL-S-2.0": "strong-copyleft",
    "CERN-OHL-W-2.0": "weak-copyleft", "EUPL-1.0": "strong-copyleft",
    "EUPL-1.1": "strong-copyleft", "EUPL-1.2": "strong-copyleft", "LiLiQ-P-1.1": "permissive",
    "LiLiQ-R-1.1": "weak-copyleft", "LiLiQ-Rplus-1.1": "strong-copyleft",
    "MPL-2.0-no-copyleft-exception": "weak-copyleft", "APL-1.0": "weak-copyleft",
    "ODbL-1.0": "share-alike", "ODC-By-1.0": "permissive", "CDLA-Permissive-1.0": "permissive",
    "CDLA-Permissive-2.0": "permissive", "CDLA-Sharing-1.0": "share-alike",
    "etalab-2.0": "permissive", "LGPLLR": "weak-copyleft", "OPUBL-1.0": "permissive",
    "C-UDA-1.0": "use-restricted", "SSPL-1.0": "source-available",
    "BUSL-1.1": "source-available", "Elastic-2.0": "source-available",
    "PolyForm-Noncommercial-1.0.0": "non-commercial",
    "PolyForm-Small-Business-1.0.0": "source-available", "Commons-Clause": "source-available",
    "JSON": "use-restricted", "Hippocratic-2.1": "use-restricted",
    "O-UDA-1.0": "permissive", "Linux-OpenIB": "permissive", "Ruby": "weak-copyleft",
    "Vim": "weak-copyleft", "TCL": "permissive", "X11": "permissive", "Xerox": "permissive",
    "Beerware": "permissive", "libtiff": "permissive", "libpng-2.0": "permissive",
    "Libpng": "permissive", "IJG": "permissive", "FTL": "permissive", "OpenSSL": "permissive",
    "SSLeay-standalone": "permissive", "Info-ZIP": "permissive", "bzip2-1.0.6": "permissive",
    "NLOD-1.0": "permissive", "NLOD-2.0": "permissive", "OGL-UK-3.0": "permissive",
    "OGL-Canada-2.0": "permissive", "DL-DE-BY-2.0": "permissive", "DL-DE-ZERO-2.0": "public-domain",
    "GD": "public-domain", "NIST-PD": "public-domain", "NIST-Software": "public-domain",
    "Community-Spec-1.0": "permissive", "APSL-1.0": "weak-copyleft", "APSL-1.1": "weak-copyleft",
    "APSL-1.2": "weak-copyleft", "APSL-2.0": "weak-copyleft",
}

# Further SPDX ids recognised one by one (older or less common licenses).
SPDX_EXACT.update({
    "copyleft-next-0.3.0": "strong-copyleft", "copyleft-next-0.3.1": "strong-copyleft",
    "Parity-6.0.0": "strong-copyleft", "Parity-7.0.0": "strong-copyleft",
    "CERN-OHL-1.1": "weak-copyleft", "CERN-OHL-1.2": "weak-copyleft",
    "TAPR-OHL-1.0": "weak-copyleft", "OFL-1.0-no-RFN": "weak-copyleft",
    "OFL-1.0-RFN": "weak-copyleft", "FSL-1.1-ALv2": "source-available",
    "PPL": "non-commercial", "CC-BY-NC-SA-2.0-DE": "non-commercial",
    "LPPL-1.0": "permissive", "LPPL-1.1": "permissive", "HDF5": "permissive",
    "NetCDF": "permissive", "Net-SNMP": "permissive", "Sendmail": "permissive",
    "Sendmail-8.23": "permissive", "OGL-UK-1.0": "permissive", "OGL-UK-2.0": "permissive",
    "OGDL-Taiwan-1.0": "permissive", "OpenSSL-standalone": "permissive",
    "IJG-short": "permissive", "libpng-1.6.35": "permissive", "bzip2-1.0.5": "permissive",
    "DRL-1.0": "permissive", "DRL-1.1": "permissive", "Giftware": "permissive",
    "GL2PS": "permissive", "Kazlib": "permissive", "Zeeff": "permissive",
    "TCP-wrappers": "permissive", "RSA-MD": "permissive", "SGI-OpenGL": "permissive",
    "CNRI-Jython": "permissive", "CNRI-Python-GPL-Compatible": "permissive",
    "ANTLR-PD": "public-domain", "ANTLR-PD-fallback": "public-domain",
    "SHL-0.5": "permissive", "SHL-0.51": "permissive", "Ubuntu-font-1.0": "weak-copyleft",
    "YPL-1.0": "weak-copyleft", "ErlPL-1.1": "weak-copyleft", "OCCT-PL": "weak-copyleft",
    "SISSL-1.2": "weak-copyleft", "NLPL": "public-domain", "GLWTPL": "public-domain",
    "CDL-1.0": "permissive", "LAL-1.2": "strong-copyleft", "LAL-1.3": "strong-copyleft",
    "D-FSL-1.0": "strong-copyleft", "OPL-1.0": "share-alike", "OPL-UK-3.0": "permissive",
    "EPICS": "permissive", "Pixar": "permissive", "SugarCRM-1.1.3": "weak-copyleft",
    "TrustedQSL": "permissive", "IEC-Code-Components-EULA": "proprietary",
    "cve-tou": "permissive", "FreeImage": "weak-copyleft", "NICTA-1.0": "non-commercial",
    "SOFA": "non-commercial", "SMPPL": "non-commercial", "TORQUE-1.1": "permissive",
    "OpenPBS-2.3": "permissive", "Glide": "non-commercial", "Aladdin": "non-commercial",
    "CPOL-1.02": "use-restricted", "FDK-AAC": "use-restricted", "COIL-1.0": "permissive",
    "ASWF-Digital-Assets-1.0": "use-restricted", "ASWF-Digital-Assets-1.1": "use-restricted",
    "Lucida-Bitmap-Fonts": "permissive", "Ubuntu-font-1.0": "weak-copyleft",
})

# Rules for the rest of the SPDX list, tried in order: a regular expression on
# the id, then its category.
SPDX_RULES = [
    (r"^AGPL-", "network-copyleft"),
    (r"^LGPL-", "weak-copyleft"),
    (r"^GPL-", "strong-copyleft"),
    (r"^GFDL-", "strong-copyleft"),
    (r"^MPL-", "weak-copyleft"),
    (r"^EPL-", "weak-copyleft"),
    (r"^CDDL-", "weak-copyleft"),
    (r"^EUPL-", "strong-copyleft"),
    (r"^CC-BY-NC-SA-", "non-commercial"),
    (r"^CC-BY-NC-ND-", "non-commercial"),
    (r"^CC-BY-NC-", "non-commercial"),
    (r"^CC-BY-ND-", "use-restricted"),
    (r"^CC-BY-SA-", "share-alike"),
    (r"^CC-BY-[0-9]", "permissive"),
    (r"^CC-SA-", "share-alike"),
    (r"^PolyForm-", "source-available"),
    (r"^(MIT|BSD|X11|HPND|ISC|Zlib|zlib|Apache|OLDAP|Boehm|ZPL|NTP|Spencer|TU-Berlin|"
     r"SGI-B|SMLNJ|Unicode|W3C|Xfig|xlock|XFree86|CMU|DEC|Sun|mpich|MTLL|NCSA|Python|"
     r"libutil|Kastrup|Martin|Latex2e|Mup|Plexus|Saxpath|SWL|TermReadKey|TTWL|"
     r"UnixCrypt|Widget|X11|Zed|Zend|blessing|bcrypt|check-cvs|checkmk|etalab|FSF|"
     r"fwlw|HP|ICU|Inner-Net|ISC|Knuth|lsof|magaz|metamail|mpi|NRL|OML|PADL|pkgconf|"
     r"pnmstitch|psfrag|psutils|radvd|SSH|swrule|threeparttable|ulem|UMich|Unicode|"
     r"URT|Wsuipa|xinetd|xkeyboard|xpp|XSkat|Xdebug|FreeBSD|NetBSD|AML|AMDPLPA|"
     r"Adobe|Afmparse|Baekmuk|Bahyph|Barr|Bitstream|BitTorrent|Borceux|Brian|"
     r"Caldera-no|CFITSIO|Clips|Cornell|Cronyx|Crossword|CrystalStacker|Cube|"
     r"diffmark|DOC|Dotseqn|DSDP|dtoa|dvipdfm|eGenix|Eurosym|Fontconfig|fpl|"
     r"Furuseth|gnuplot|Graphics-Gems|gtkbook|HaskellReport|hdparm|IBM-pibs|"
     r"ImageMagick|Imlib2|JasPer|JPNIC|Leptonica|LOOP|Minpack|MMIXware|NAIST|"
     r"Newsletr|Noweb|OFFIS|Qhull|SCEA|snprintf|SNIA|softSurfer|Soundex|"
     r"SunPro|TPDL|TTYP0|UCAR|w3m|Wsuipa|xzoom|Zimbra|AdaCore|any-OSI|Arphic|"
     r"Boehm|Ferguson|gSOAP|HTMLTIDY|Interbase|IPL|Linux-man|LZMA|McPhee|"
     r"Mackerras|Markus|MPEG|NBPL|OpenVision|pnmstitch|python|Ruby|SL|Symlinks|"
     r"TGPPL|TMate|UnixCrypt|Unlicense|Vixie|X11|zeroclause)", "permissive"),
    (r"(?i)public[- ]?domain|^PD", "public-domain"),
]

# Name-based rules, tried after the id rules.
NAME_RULES = [
    (r"(?i)affero", "network-copyleft"),
    (r"(?i)lesser general public", "weak-copyleft"),
    (r"(?i)general public license", "strong-copyleft"),
    (r"(?i)non-?commercial", "non-commercial"),
    (r"(?i)public domain", "public-domain"),
    (r"(?i)share ?alike", "share-alike"),
    (r"(?i)\b(BSD|MIT|permissive)\b", "permissive"),
]

# Per-id overrides of commercial use and conditions for SPDX entries.
SPDX_CONDITIONS = {
    "Apache-2.0": ["attribution", "notice"],
    "MIT": ["attribution", "notice"],
    "CC-BY-4.0": ["attribution"], "CC-BY-3.0": ["attribution"], "CC-BY-2.0": ["attribution"],
    "CC-BY-2.5": ["attribution"], "ODC-By-1.0": ["attribution"],
    "CDLA-Permissive-2.0": ["notice"], "ODbL-1.0": ["attribution", "share-alike"],
    "SSPL-1.0": ["notice", "network-disclosure", "source-disclosure"],
    "BUSL-1.1": ["notice", "use-restrictions"],
}

# Aliases: other spellings that should find an SPDX entry (matched without
# regard to case).  Hugging Face ids that equal an SPDX id apart from case need
# none.
SPDX_ALIASES = {
    "Apache-2.0": ["apache 2.0", "apache license 2.0", "apache2", "apache-2"],
    "MIT": ["mit license", "expat"],
    "ODbL-1.0": ["odbl"],
    "ODC-By-1.0": ["odc-by"],
    "PDDL-1.0": ["pddl"],
    "LGPLLR": ["lgpl-lr"],
    "BSD-3-Clause": ["new bsd", "modified bsd"],
    "BSD-2-Clause": ["simplified bsd", "freebsd"],
    "C-UDA-1.0": ["c-uda"],
    "CDLA-Permissive-1.0": [], "CDLA-Sharing-1.0": [],
    "GPL-3.0-only": ["gplv3"], "GPL-2.0-only": ["gplv2"], "AGPL-3.0-only": ["agplv3"],
}

# Licenses outside the SPDX list: AI model licenses and the Hugging Face ids.
# Each entry: id, name, category, commercial, conditions, and optional facts
# (aliases, url, user_threshold, naming, note).  huggingface: the id is
# accepted in a Hugging Face card's `license:` field.
EXTRA = [
    dict(id="llama2", name="Llama 2 Community License Agreement", category="use-restricted",
         commercial="conditional", huggingface=True,
         conditions=["attribution", "notice", "use-restrictions", "user-threshold"],
         user_threshold=700000000,
         aliases=["llama-2", "llama 2 community license", "llama-2-community-license"],
         url="https://ai.meta.com/llama/license/",
         note="Acceptable use policy passes on to users; a separate license from Meta is "
              "needed above 700 million monthly active users; outputs may not be used to "
              "improve other large language models."),
    dict(id="llama3", name="Meta Llama 3 Community License Agreement", category="use-restricted",
         commercial="conditional", huggingface=True,
         conditions=["attribution", "notice", "use-restrictions", "user-threshold", "naming"],
         user_threshold=700000000, naming="Built with Meta Llama 3",
         aliases=["llama-3", "llama 3 community license"],
         url="https://llama.meta.com/llama3/license/",
         note="Derived models must be named beginning with \"Llama 3\"; acceptable use policy "
              "passes on to users; separate license above 700 million monthly active users."),
    dict(id="llama3.1", name="Llama 3.1 Community License Agreement", category="use-restricted",
         commercial="conditional", huggingface=True,
         conditions=["attribution", "notice", "use-restrictions", "user-threshold", "naming"],
         user_threshold=700000000, naming="Built with Llama", aliases=["llama-3.1"],
         url="https://llama.meta.com/llama3_1/license/",
         note="Derived models must be named beginning with \"Llama\"; acceptable use policy "
              "passes on to users; separate license above 700 million monthly active users."),
    dict(id="llama3.2", name="Llama 3.2 Community License Agreement", category="use-restricted",
         commercial="conditional", huggingface=True,
         conditions=["attribution", "notice", "use-restrictions", "user-threshold", "naming"],
         user_threshold=700000000, naming="Built with Llama", aliases=["llama-3.2"],
         url="https://www.llama.com/llama3_2/license/",
         note="Multimodal models are not licensed to individuals or companies domiciled in the "
              "EU; acceptable use policy passes on; separate license above 700 million monthly "
              "active users."),
    dict(id="llama3.3", name="Llama 3.3 Community License Agreement", category="use-restricted",
         commercial="conditional", huggingface=True,
         conditions=["attribution", "notice", "use-restrictions", "user-threshold", "naming"],
         user_threshold=700000000, naming="Built with Llama", aliases=["llama-3.3"],
         url="https://www.llama.com/llama3_3/license/"),
    dict(id="llama4", name="Llama 4 Community License Agreement", category="use-restricted",
         commercial="conditional", huggingface=True,
         conditions=["attribution", "notice", "use-restrictions", "user-threshold", "naming"],
         user_threshold=700000000, naming="Built with Llama", aliases=["llama-4"],
         url="https://www.llama.com/llama4/license/",
         note="Multimodal models are not licensed to individuals or companies domiciled in "
              "the EU."),
    dict(id="gemma", name="Gemma Terms of Use", category="use-restricted",
         commercial="conditional", huggingface=True,
         conditions=["notice", "use-restrictions"],
         aliases=["gemma terms of use", "gemma-terms-of-use"],
         url="https://ai.google.dev/gemma/terms",
         note="The prohibited use policy passes on to every user and derivative."),
    dict(id="openrail", name="OpenRAIL license family", category="use-restricted",
         commercial="conditional", huggingface=True, conditions=["attribution", "use-restrictions"],
         url="https://huggingface.co/blog/open_rail"),
    dict(id="openrail++", name="Open RAIL++-M License", category="use-restricted",
         commercial="conditional", huggingface=True, conditions=["attribution", "use-restrictions"],
         aliases=["openrail++-m"]),
    dict(id="creativeml-openrail-m", name="CreativeML OpenRAIL-M", category="use-restricted",
         commercial="conditional", huggingface=True, conditions=["attribution", "use-restrictions"],
         url="https://huggingface.co/spaces/CompVis/stable-diffusion-license"),
    dict(id="bigscience-bloom-rail-1.0", name="BigScience BLOOM RAIL 1.0",
         category="use-restricted", commercial="conditional", huggingface=True,
         conditions=["attribution", "use-restrictions"],
         url="https://huggingface.co/spaces/bigscience/license"),
    dict(id="bigscience-openrail-m", name="BigScience OpenRAIL-M", category="use-restricted",
         commercial="conditional", huggingface=True, conditions=["attribution", "use-restrictions"]),
    dict(id="bigcode-openrail-m", name="BigCode Open RAIL-M v1", category="use-restricted",
         commercial="conditional", huggingface=True, conditions=["attribution", "use-restrictions"]),
    dict(id="deepfloyd-if-license", name="DeepFloyd IF Research License Agreement",
         category="non-commercial", commercial="no", huggingface=True,
         conditions=["attribution", "no-commercial", "use-restrictions"]),
    dict(id="fair-noncommercial-research-license", name="FAIR Noncommercial Research License",
         category="non-commercial", commercial="no", huggingface=True,
         conditions=["attribution", "no-commercial", "use-restrictions"]),
    dict(id="apple-ascl", name="Apple Sample Code License", category="permissive",
         commercial="yes", huggingface=True, conditions=["attribution", "notice"]),
    dict(id="apple-amlr", name="Apple Model License for Research", category="non-commercial",
         commercial="no", huggingface=True, conditions=["attribution", "no-commercial"]),
    dict(id="h-research", name="H Research License", category="non-commercial",
         commercial="no", huggingface=True, conditions=["attribution", "no-commercial"]),
    dict(id="intel-research", name="Intel Research Use License Agreement",
         category="non-commercial", commercial="no", huggingface=True,
         conditions=["no-commercial"]),
    dict(id="openmdw-1.0", name="Open Model, Data & Weights License Agreement",
         category="permissive", commercial="yes", huggingface=True,
         conditions=["attribution", "notice"], url="https://openmdw.ai/license/1-0/"),
    dict(id="openmdw-1.1", name="Open Model, Data & Weights License Agreement v1.1",
         category="permissive", commercial="yes", huggingface=True,
         conditions=["attribution", "notice"], url="https://openmdw.ai/license/1-1/"),
    dict(id="grok2-community", name="Grok 2 Community License Agreement",
         category="use-restricted", commercial="conditional", huggingface=True,
         conditions=["attribution", "use-restrictions"]),
    dict(id="tii-falcon-llm", name="TII Falcon LLM License", category="use-restricted",
         commercial="conditional", conditions=["attribution", "use-restrictions"],
         aliases=["falcon-llm-license", "tii-falcon-llm-license", "tii falcon llm license"],
         note="Royalties are due on commercial use above a revenue threshold."),
    dict(id="microsoft-research-license", name="Microsoft Research License Agreement",
         category="non-commercial", commercial="no", conditions=["no-commercial"],
         aliases=["msrla"]),
    dict(id="bsd", name="BSD license family", category="permissive", commercial="yes",
         huggingface=True, conditions=["attribution", "notice"]),
    dict(id="gpl", name="GNU General Public License family", category="strong-copyleft",
         commercial="yes", huggingface=True,
         conditions=["attribution", "notice", "share-alike", "source-disclosure"]),
    dict(id="lgpl", name="GNU Lesser General Public License family", category="weak-copyleft",
         commercial="yes", huggingface=True,
         conditions=["attribution", "notice", "source-disclosure"]),
    dict(id="gfdl", name="GNU Free Documentation License family", category="strong-copyleft",
         commercial="yes", huggingface=True, conditions=["attribution", "notice", "share-alike"]),
    dict(id="cc", name="Creative Commons license family", category="unknown",
         commercial="conditional", huggingface=True, conditions=["attribution"],
         note="The family alone does not say whether commercial use or derivatives are allowed."),
    dict(id="other", name="Other", category="unknown", commercial="conditional",
         huggingface=True, conditions=[],
         note="The terms are in a license_name / license_link or the repository's LICENSE file."),
    dict(id="unknown", name="Unknown", category="unknown", commercial="conditional",
         huggingface=True, conditions=[]),
]

# These open-source-in-the-OSI-sense facts hold for non-SPDX entries: none of
# the AI model licenses is OSI approved; the families are when every member is.
EXTRA_OPEN_SOURCE = {"bsd", "gpl", "lgpl"}


def classify(lic):
    lid, name = lic["licenseId"], lic.get("name", "")
    if lid in SPDX_EXACT:
        return SPDX_EXACT[lid]
    for pat, cat in SPDX_RULES:
        if re.search(pat, lid):
            return cat
    for pat, cat in NAME_RULES:
        if re.search(pat, name):
            return cat
    if lic.get("isOsiApproved") or lic.get("isFsfLibre"):
        # A free license whose family is not recognised: reviewed by hand as
        # permissive-style notices unless it is listed above.
        return "permissive"
    return "unknown"


def q(s):
    """A YAML double-quoted scalar."""
    return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"') + '"'


def key_scalar(s):
    """Plain scalar when safe in a flow map, else double-quoted."""
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9.+_-]*", s) and s.lower() not in (
            "yes", "no", "true", "false", "null", "on", "off", "y", "n", "other", "unknown"):
        return s
    return q(s)


def flow_list(items):
    return "[" + ", ".join(q(i) if not re.fullmatch(r"[a-z-]+", i) else i for i in items) + "]"


def entry_line(e):
    parts = [f"id: {key_scalar(e['id'])}", f"name: {q(e['name'])}",
             f"spdx: {str(e['spdx']).lower()}", f"osi_approved: {str(e['osi_approved']).lower()}",
             f"fsf_libre: {str(e['fsf_libre']).lower()}",
             f"deprecated: {str(e['deprecated']).lower()}", f"category: {e['category']}",
             f"commercial: {q(e['commercial'])}", f"open_source: {str(e['open_source']).lower()}",
             f"conditions: {flow_list(e['conditions'])}", f"aliases: {flow_list(e['aliases'])}"]
    if e.get("huggingface"):
        parts.append("huggingface: true")
    if e.get("user_threshold"):
        parts.append(f"user_threshold: {int(e['user_threshold'])}")
    if e.get("naming"):
        parts.append(f"naming: {q(e['naming'])}")
    if e.get("url"):
        parts.append(f"url: {q(e['url'])}")
    if e.get("note"):
        parts.append(f"note: {q(e['note'])}")
    return "  - {" + ", ".join(parts) + "}"


def read_json(path, listname):
    """One SPDX license-list JSON file, or exit with a message naming it."""
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except OSError as e:
        sys.exit(f"gen-licenses: {path}: {e.strerror}")
    except json.JSONDecodeError as e:
        sys.exit(f"gen-licenses: {path}:{e.lineno}:{e.colno}: {e.msg}")
    if not isinstance(doc, dict) or not isinstance(doc.get(listname), list):
        sys.exit(f"gen-licenses: {path}: not an SPDX {listname}.json (no '{listname}' list)")
    return doc


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("licenses_json")
    ap.add_argument("exceptions_json")
    ap.add_argument("-o", "--output", default="-")
    ap.add_argument("--hf-ids", help="TSV of Hugging Face license ids to check coverage")
    args = ap.parse_args()

    lic_doc = read_json(args.licenses_json, "licenses")
    exc_doc = read_json(args.exceptions_json, "exceptions")
    version = lic_doc.get("licenseListVersion", "")

    entries, seen = [], set()
    for lic in sorted(lic_doc["licenses"], key=lambda l: l["licenseId"].lower()):
        cat = classify(lic)
        commercial, conds = FAMILY[cat]
        conds = SPDX_CONDITIONS.get(lic["licenseId"], conds)
        osi = bool(lic.get("isOsiApproved"))
        e = dict(id=lic["licenseId"], name=lic["name"], spdx=True, osi_approved=osi,
                 fsf_libre=bool(lic.get("isFsfLibre")),
                 deprecated=bool(lic.get("isDeprecatedLicenseId")), category=cat,
                 commercial=commercial, open_source=osi, conditions=list(conds),
                 aliases=SPDX_ALIASES.get(lic["licenseId"], []), url=lic.get("reference", ""))
        entries.append(e)
        seen.add(e["id"].lower())
        seen.update(a.lower() for a in e["aliases"])

    for x in EXTRA:
        if x["category"] not in CATEGORIES or any(c not in CONDITIONS for c in x["conditions"]):
            sys.exit(f"gen-licenses: bad classification for {x['id']}")
        if x["id"].lower() in seen:
            sys.exit(f"gen-licenses: {x['id']} is already an SPDX id or alias")
        e = dict(spdx=False, osi_approved=False, fsf_libre=False, deprecated=False,
                 open_source=x["id"] in EXTRA_OPEN_SOURCE, aliases=[], url="")
        e.update(x)
        entries.append(e)
        seen.add(e["id"].lower())
        seen.update(a.lower() for a in e["aliases"])

    if args.hf_ids:
        with open(args.hf_ids, encoding="utf-8") as f:
            rows = [l.split("\t")[0].strip() for l in f.read().splitlines()[1:] if l.strip()]
        missing = [r for r in rows if r.lower() not in seen]
        if missing:
            sys.exit("gen-licenses: Hugging Face ids without an entry: " + ", ".join(missing))
        hf = {r.lower() for r in rows}
        for e in entries:
            if e["id"].lower() in hf or any(a.lower() in hf for a in e["aliases"]):
                e["huggingface"] = True

    out = [
        "# aivet license knowledge base: generated by policies/gen-licenses.py from the SPDX",
        "# license list data and aivet's own classification. Do not edit by hand: change the",
        "# script's tables and run it again, or override entries in your own data file",
        "# (see docs/policies.md).",
        "apiVersion: aivet/v1",
        "kind: licenses",
        f"spdx_list_version: {q(version)}",
        "licenses:",
    ]
    out += [entry_line(e) for e in entries]
    out.append("exceptions:")
    for x in sorted(exc_doc["exceptions"], key=lambda x: x["licenseExceptionId"].lower()):
        out.append("  - {" + f"id: {key_scalar(x['licenseExceptionId'])}, name: {q(x['name'])}, "
                   f"deprecated: {str(bool(x.get('isDeprecatedLicenseId'))).lower()}" + "}")
    text = "\n".join(out) + "\n"
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    counts = {}
    for e in entries:
        counts[e["category"]] = counts.get(e["category"], 0) + 1
    print(f"gen-licenses: {len(entries)} licenses, {len(exc_doc['exceptions'])} exceptions, "
          f"SPDX {version}; " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())),
          file=sys.stderr)


if __name__ == "__main__":
    main()
