"""Benchmark: postings normalized per second on one core, and adversarial-input parse times.

Generates 20,000 realistic postings (seeded): HTML descriptions of 3-6 KB assembled from fragments in the
style of real boards (intros, responsibilities, requirements with skills, pay-transparency blocks in
US/UK/EU/INR formats, benefits with money distractors), titles, locations, and the sources' structured
pay objects (Greenhouse cents, Lever salaryRange, Ashby compensation, JSON-LD baseSalary) or LinkedIn pay
text. Times `normalize_posting` over all of them in this process, then times `parse_pay` / `find_pay`
on a 100 KB string of digits, commas, dashes and currency signs. Figures are merged into
bench/results.json under "normalize".

    .venv/bin/python bench/normalize.py [--postings 20000] [--seed 7]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._results import record  # noqa: E402
from tracker.normalize import extract_skills, find_pay, normalize_posting, parse_location, parse_pay  # noqa: E402
from tracker.raw import RawPosting  # noqa: E402

TARGET_PER_S = 5_000

TITLES = [
    "Senior Data Scientist", "Machine Learning Engineer", "Staff Machine Learning Engineer, Ads Ranking",
    "Data Scientist II - Pricing", "Sr. ML Engineer (Remote)", "Senior Manager, Data Science", "Head of AI",
    "Product Manager, Machine Learning", "Software Engineer, Machine Learning", "Data Engineer",
    "Analytics Engineer", "Applied Scientist", "Research Scientist, NLP", "AI Engineer", "Data Analyst",
    "Lead Data Scientist", "Principal ML Engineer", "Machine Learning Engineer Intern", "Account Executive",
    "Senior Software Engineer, Backend", "Generative AI Engineer", "Director of Data Science",
]
LOCATIONS = [
    "San Francisco, CA", "New York, NY", "Remote - US", "London, England, United Kingdom", "Hybrid - London",
    "Toronto, Ontario, Canada", "Berlin, Germany", "Bengaluru, Karnataka, India", "Seattle, WA", "Austin, TX",
    "Remote (Canada)", "Amsterdam, North Holland, Netherlands", "Sydney NSW", "Paris, France", "Remote",
    "San Francisco, CA; New York, NY", "Singapore", "Zurich, Switzerland",
]
INTROS = [
    "<p>At {co}, we're building the operating system for modern finance teams. Founded in 2018, we have raised "
    "$120M from leading investors and serve more than 4,000 customers in 40 countries.</p>",
    "<p>{co} helps hospitals predict patient demand. Our platform processes billions of events a day and our team "
    "is distributed across North America and Europe.</p>",
    "<div class=\"content-intro\"><h2>About {co}</h2><p>We are a Series B startup backed by top-tier VCs. Our "
    "mission is to make logistics carbon-neutral by 2030.</p></div>",
]
RESPONSIBILITIES = [
    "Design, train and deploy machine learning models that power recommendations for millions of users.",
    "Partner with product managers and engineers to define metrics and run A/B tests.",
    "Build reliable data pipelines in Airflow and dbt on top of Snowflake and BigQuery.",
    "Own the full lifecycle of models: feature engineering, training, evaluation, monitoring.",
    "Develop forecasting and causal inference methods to guide pricing decisions.",
    "Improve our LLM-based assistants with retrieval-augmented generation over a vector database.",
    "Scale distributed training on GPUs with PyTorch and CUDA; profile and optimize inference.",
    "Write clean, well-tested Python and SQL; review code and mentor other engineers.",
    "Operate services on Kubernetes in AWS and GCP; automate everything with Terraform.",
    "Communicate results to leadership with clear dashboards in Tableau or Looker.",
]
REQUIREMENTS = [
    "5+ years of experience with Python, SQL and statistics.",
    "Experience with PyTorch or TensorFlow, and with scikit-learn, pandas and NumPy.",
    "Familiarity with Spark, Kafka or Databricks at scale.",
    "Proficiency in R or Python for statistical modeling.",
    "Experience with Docker, Kubernetes (k8s) and Linux.",
    "Hands-on experience with LLMs, LangChain and Hugging Face transformers.",
    "Strong background in NLP or computer vision; publications a plus.",
    "Experience with MLflow, Kubeflow or SageMaker for MLOps.",
    "Knowledge of Go, Java or Scala for backend services.",
    "BS/MS in Computer Science, Statistics, Mathematics, or a related field.",
    "Excellent communication skills and a bias for action.",
    "Experience with experimentation platforms and causal inference.",
]
PAY_BLOCKS = [
    "<div class=\"content-pay-transparency\"><div class=\"pay-input\"><div class=\"title\">US Base Salary</div>"
    "<div class=\"pay-range\"><span>${lo:,}</span><span class=\"divider\">&mdash;</span><span>${hi:,} USD</span>"
    "</div></div></div>",
    "<p>The base salary range for this full-time position is ${lo:,} - ${hi:,} + bonus + equity + benefits. Our "
    "salary ranges are determined by role, level, and location.</p>",
    "<p><strong>Salary:</strong> £{lo:,} - £{hi:,} per annum + 10% bonus</p>",
    "<p>Gehalt: {lo_eu} € - {hi_eu} € brutto/Jahr</p>",
    "<p>CTC: ₹{lo_in} - ₹{hi_in} per annum</p>",
    "<p>Zone 1: ${lo:,} - ${hi:,}<br>Zone 2: ${lo2:,} - ${hi2:,}</p>",
    "<p>Pay: ${h_lo}.00 - ${h_hi}.00 per hour</p>",
    "<p>We offer a competitive salary and equity.</p>",
]
BENEFITS = [
    "<li>401(k) with 4% match</li>", "<li>$2,000 annual learning budget</li>", "<li>$10,000 relocation bonus</li>",
    "<li>Unlimited PTO and 16 weeks parental leave</li>", "<li>$500/month wellness stipend</li>",
    "<li>Medical, dental and vision insurance</li>", "<li>Home office setup allowance of $1,500</li>",
    "<li>Hybrid work: 2 days a week in our office</li>",
]
OUTRO = (
    "<p>{co} is an equal opportunity employer. We celebrate diversity and are committed to creating an inclusive "
    "environment for all employees. We do not discriminate on the basis of race, religion, color, national origin, "
    "gender, sexual orientation, age, marital status, veteran status, or disability status. If you need "
    "accommodations during the interview process, please let us know.</p>"
)


def _lakh(n: int) -> str:
    s = str(n)
    head, tail = s[:-3], s[-3:]
    groups: list[str] = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    if head:
        groups.insert(0, head)
    return ",".join([*groups, tail])


def _description(rng: random.Random, company: str) -> str:
    lo = rng.randrange(90, 220) * 1000
    hi = lo + rng.randrange(20, 80) * 1000
    fmt = {
        "co": company, "lo": lo, "hi": hi, "lo2": lo - 15000, "hi2": hi - 15000,
        "lo_eu": f"{lo // 1000}.000", "hi_eu": f"{hi // 1000}.000",
        "lo_in": _lakh(lo * 20), "hi_in": _lakh(hi * 20), "h_lo": lo // 2500, "h_hi": hi // 2500,
    }
    parts = [rng.choice(INTROS).format(**fmt)]
    target = rng.randrange(3000, 6000)
    while sum(map(len, parts)) < target - 1200:
        parts.append("<h3>What you'll do</h3><ul>")
        parts.extend(f"<li>{x}</li>" for x in rng.sample(RESPONSIBILITIES, 4))
        parts.append("</ul><h3>What you bring</h3><ul>")
        parts.extend(f"<li>{x}</li>" for x in rng.sample(REQUIREMENTS, 4))
        parts.append("</ul>")
    parts.append("<h3>Benefits</h3><ul>" + "".join(rng.sample(BENEFITS, 4)) + "</ul>")
    parts.append(rng.choice(PAY_BLOCKS).format(**fmt))
    parts.append(OUTRO.format(**fmt))
    return "".join(parts)


def _structured(rng: random.Random, kind: str) -> tuple[Any, str | None]:
    lo = rng.randrange(90, 220) * 1000
    hi = lo + rng.randrange(20, 80) * 1000
    if kind == "greenhouse":
        return [{"min_cents": lo * 100, "max_cents": hi * 100, "currency_type": "USD", "title": "Zone 1"}], None
    if kind == "lever":
        return {"currency": "USD", "interval": "per-year-salary", "min": lo, "max": hi}, None
    if kind == "ashby":
        comp = {"compensationType": "Salary", "interval": "1 YEAR", "currencyCode": "USD", "minValue": lo,
                "maxValue": hi}
        return {"summaryComponents": [comp], "compensationTiers": [{"components": [comp]}]}, None
    if kind == "jsonld":
        return {"@type": "MonetaryAmount", "currency": "USD",
                "value": {"@type": "QuantitativeValue", "minValue": lo, "maxValue": hi, "unitText": "YEAR"}}, None
    return None, f"${lo:,}.00 - ${hi:,}.00"


def generate(n: int, seed: int) -> list[RawPosting]:
    """`n` raw postings, reproducible from `seed`."""
    rng = random.Random(seed)
    kinds = ["greenhouse", "lever", "ashby", "jsonld", "linkedin"]
    out = []
    for i in range(n):
        kind = kinds[i % len(kinds)]
        company = rng.choice(["Acme", "Northwind", "Globex", "Initech", "Umbrella", "Hooli"])
        structured, pay_text = _structured(rng, kind) if rng.random() < 0.4 else (None, None)
        out.append(RawPosting(
            source_kind=kind, external_id=str(i), title=rng.choice(TITLES), company=company,
            location=rng.choice(LOCATIONS), description=_description(rng, company), structured_pay=structured,
            pay_text=pay_text, employment_type=rng.choice(["FullTime", "FULL_TIME", "Full-time", None]),
            workplace=rng.choice(["remote", "hybrid", "on-site", None]),
        ))
    return out


def _adversarial(n: int = 100_000) -> str:
    pattern = "1,000,000-$2,000.00-€3.000,5-£4 000-₹5,00,000-"
    return (pattern * (n // len(pattern) + 1))[:n]


def _best_ms(func: Callable[[str], object], text: str, rounds: int = 5) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        func(text)
        best = min(best, time.perf_counter() - start)
    return round(best * 1000, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postings", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    raws = generate(args.postings, args.seed)
    sizes = sorted(len(r.description or "") for r in raws)
    normalize_posting(raws[0])  # load the data tables and compile the patterns once

    gc.collect()
    start = time.perf_counter()
    results = [normalize_posting(r) for r in raws]
    elapsed = time.perf_counter() - start
    per_s = len(raws) / elapsed

    with_pay = sum(1 for p in results if p.pay_min is not None or p.pay_max is not None)
    adversarial = _adversarial()
    figures = {
        "postings": len(raws),
        "elapsed_s": round(elapsed, 3),
        "postings_per_s": round(per_s),
        "target_postings_per_s": TARGET_PER_S,
        "meets_target": per_s >= TARGET_PER_S,
        "description_bytes_min_median_max": [sizes[0], sizes[len(sizes) // 2], sizes[-1]],
        "share_with_pay": round(with_pay / len(raws), 3),
        "adversarial_100kb_ms": {
            "parse_pay": _best_ms(parse_pay, adversarial),
            "find_pay": _best_ms(find_pay, adversarial),
            "extract_skills": _best_ms(extract_skills, adversarial),
            "parse_location": _best_ms(parse_location, adversarial),
        },
        "adversarial_target_ms": 50,
        "cores": 1,
        "load_average_1m_during_run": round(os.getloadavg()[0], 2),
    }
    record("normalize", figures)
    for key, value in figures.items():
        print(f"{key:34s} {value}")


if __name__ == "__main__":
    main()
