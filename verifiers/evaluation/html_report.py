"""The self-contained HTML report: tables, plots embedded as base64 PNG, examples; every value HTML-escaped."""

from __future__ import annotations

import base64
from typing import Any

from .formatting import num, pct

TEMPLATE = r"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>aha eval: {{ title }}</title>
<style>
  body { font: 14px/1.45 -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1d1d1f;
         margin: 0; background: #f6f7f9; }
  header { background: #20232a; color: #fff; padding: 18px 32px; }
  header h1 { margin: 0 0 4px; font-size: 22px; }
  header .meta { color: #c8ccd4; font-size: 13px; word-break: break-all; }
  nav { padding: 8px 32px; background: #fff; border-bottom: 1px solid #dde1e6; position: sticky; top: 0; }
  nav a { margin-right: 14px; color: #0b5cad; text-decoration: none; }
  main { padding: 8px 32px 40px; max-width: 1280px; }
  section { background: #fff; border: 1px solid #dde1e6; border-radius: 6px; padding: 14px 20px; margin: 16px 0; }
  h2 { margin: 0 0 10px; font-size: 18px; }
  h3 { font-size: 15px; margin: 16px 0 6px; }
  table { border-collapse: collapse; margin: 6px 0 10px; }
  th, td { border-bottom: 1px solid #e6e8eb; padding: 4px 10px; text-align: left; vertical-align: top; }
  th { background: #f0f2f5; font-weight: 600; }
  td.n { text-align: right; font-variant-numeric: tabular-nums; }
  .plots, .row { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
  img.plot { width: 540px; max-width: 100%; border: 1px solid #e6e8eb; border-radius: 4px; }
  .note { color: #5f6368; font-size: 13px; }
  .status-passed { color: #2e7d32; } .status-failed { color: #c62828; } .status-error { color: #ef6c00; }
  .status-timeout { color: #6a1b9a; } .status-unverifiable { color: #757575; }
  details { border: 1px solid #e6e8eb; border-radius: 4px; margin: 6px 0; padding: 4px 10px; }
  details summary { cursor: pointer; }
  pre { white-space: pre-wrap; word-break: break-word; background: #f6f8fa; padding: 4px 8px; border-radius: 4px;
        margin: 2px 0; max-height: 320px; overflow: auto; }
  .fields { display: grid; grid-template-columns: 130px 1fr; gap: 2px 10px; margin: 6px 0; }
  .label { font-weight: 600; color: #5f6368; font-size: 12px; text-transform: uppercase; padding-top: 6px; }
</style>
</head>
<body>
<header>
  <h1>aha eval report</h1>
  <div class="meta">input <b>{{ settings.input }}</b> &middot; reward <b>{{ settings.reward }}</b>
  {% if settings.compare %}&middot; compare <b>{{ settings.compare }}</b>{% endif %}
  &middot; {{ m.rows | num }} rows &middot; {{ generated }}</div>
</header>
<nav>
  <a href="#summary">Summary</a><a href="#reward">Reward</a>
  {% if m.terms %}<a href="#terms">Terms</a>{% endif %}<a href="#passk">pass@k</a><a href="#length">Length</a>
  {% if m.by %}<a href="#by">Categories</a>{% endif %}{% if m.labels %}<a href="#labels">Labels</a>{% endif %}
  {% if m.compare %}<a href="#compare">Compare</a>{% endif %}<a href="#examples">Examples</a>
</nav>
<main>
<section>
  <h2>Summary</h2>
  <div class="row">
  <table id="summary">
    <tr><th>rows</th><td class="n">{{ m.rows | num }}</td></tr>
    <tr><th>mean reward</th><td class="n">{{ m.reward.mean | num }} (std {{ m.reward.std | num }})</td></tr>
    {% if m.reward.non_finite %}<tr><th>rewards that are NaN or infinite (left out of the mean)</th><td class="n">{{ m.reward.non_finite | num }}</td></tr>{% endif %}
    <tr><th>correct ({{ m.correct.definition }})</th><td class="n">{{ m.correct.count | num }} ({{ m.correct.rate | pct }})</td></tr>
    {% for s, n in m.statuses.items() %}
    <tr><th>status <span class="status-{{ s }}">{{ s }}</span></th><td class="n">{{ n | num }}</td></tr>
    {% endfor %}
    {% if m.unreadable_rows %}<tr><th>unreadable rows (error rows)</th><td class="n">{{ m.unreadable_rows | num }}</td></tr>{% endif %}
    <tr><th>prompts ({{ m.groups.key }})</th><td class="n">{{ m.groups.count | num }}</td></tr>
    {% for k, v in m.pass_at_k.items() %}{% if loop.first or not v.excluded_groups %}
    <tr><th>pass@{{ k }}</th><td class="n">{{ v.value | pct }}</td></tr>{% endif %}{% endfor %}
    {% if m.labels %}<tr><th>agreement with labels ({{ m.labels.column }})</th><td class="n">{{ m.labels.agreement | pct }} of {{ m.labels.labelled | num }}</td></tr>{% endif %}
    {% if m.compare %}<tr><th>agreement with compare</th><td class="n">{{ m.compare.agreement | pct }} ({{ m.compare.disagreements | num }} rows differ)</td></tr>{% endif %}
    {% if timing.scoring and timing.scoring.scored_rows %}<tr><th>scoring speed</th><td class="n">{{ timing.scoring.rows_per_second | num }} rows/s ({{ timing.scoring.scored_rows | num }} rows scored this run{% if timing.scoring.resumed_rows %}, {{ timing.scoring.resumed_rows | num }} resumed{% endif %})</td></tr>{% endif %}
  </table>
  {{ plot("statuses") }}
  </div>
</section>

<section id="reward">
  <h2>Reward</h2>
  <div class="row">{{ plot("reward") }}
  <table>
    <tr><th>mean</th><th>std</th><th>min</th>{% for q in m.reward.quantiles %}<th>{{ q }}</th>{% endfor %}<th>max</th></tr>
    <tr><td class="n">{{ m.reward.mean | num }}</td><td class="n">{{ m.reward.std | num }}</td><td class="n">{{ m.reward.min | num }}</td>
    {% for q, v in m.reward.quantiles.items() %}<td class="n">{{ v | num }}</td>{% endfor %}<td class="n">{{ m.reward.max | num }}</td></tr>
  </table></div>
</section>

{% if m.terms %}
<section id="terms">
  <h2>Reward terms</h2>
  <table>
    <tr><th>term</th><th>mean</th><th>pass rate</th><th>rows</th>{% for s in statuses %}<th>{{ s }}</th>{% endfor %}</tr>
    {% for name, t in m.terms.items() %}
    <tr><td>{{ name }}</td><td class="n">{{ t.mean | num }}</td><td class="n">{{ t.pass_rate | pct }}</td><td class="n">{{ t.count | num }}</td>
    {% for s in statuses %}<td class="n">{{ t.statuses[s] | num }}</td>{% endfor %}</tr>
    {% endfor %}
  </table>
  <div class="plots">{{ plot("terms") }}</div>
</section>
{% endif %}

<section id="passk">
  <h2>pass@k and maj@k</h2>
  <p class="note">{{ m.groups.count | num }} prompts grouped by {{ m.groups.key }}; {{ m.groups.size_min | num }}&ndash;{{ m.groups.size_max | num }}
  completions each (mean {{ m.groups.size_mean | num }}){% if m.groups.rows_without_key %}; {{ m.groups.rows_without_key | num }} rows have no prompt key and are left out{% endif %}.
  pass@k is the unbiased estimator of Chen et al. (2021) over prompts with at least k completions; maj@k votes over
  the first k completions' <code>{{ m.groups.vote_key }}</code> detail.</p>
  <div class="row">
  <table>
    <tr><th>k</th><th>pass@k</th>{% if m.compare %}<th>pass@k (compare)</th>{% endif %}<th>maj@k</th><th>prompts</th><th>prompts with fewer than k</th></tr>
    {% for k, v in m.pass_at_k.items() %}
    <tr><td class="n">{{ k }}</td><td class="n">{{ v.value | pct }}</td>{% if m.compare %}<td class="n">{{ v.compare_value | pct }}</td>{% endif %}
    <td class="n">{% if m.maj_at_k[k] %}{{ m.maj_at_k[k].value | pct }}{% else %}&ndash;{% endif %}</td>
    <td class="n">{{ v.groups | num }}</td><td class="n">{{ v.excluded_groups | num }}</td></tr>
    {% endfor %}
  </table>
  {{ plot("pass_at_k") }}
  </div>
  {% if m.maj_at_k.unavailable %}<p class="note">maj@k: {{ m.maj_at_k.unavailable }}</p>{% endif %}
</section>

<section id="length">
  <h2>Completion length against reward</h2>
  {% if m.length.count %}
  <p class="note">Length in {{ m.length.unit }}: mean {{ m.length.stats.mean | num }}; correct completions {{ m.length.mean_correct | num }},
  others {{ m.length.mean_incorrect | num }}; Pearson r between length and reward {{ m.length.pearson_r | num }}.</p>
  <div class="row">{{ plot("length") }}
  <table>
    <tr><th>length from</th><th>to</th><th>rows</th><th>mean reward</th><th>pass rate</th></tr>
    {% for b in m.length.bins %}
    <tr><td class="n">{{ b.lo | num }}</td><td class="n">{{ b.hi | num }}</td><td class="n">{{ b.count | num }}</td><td class="n">{{ b.mean_reward | num }}</td><td class="n">{{ b.pass_rate | pct }}</td></tr>
    {% endfor %}
  </table></div>
  {% else %}<p class="note">No readable completions.</p>{% endif %}
</section>

{% if m.by %}
<section id="by">
  <h2>By category</h2>
  {% for col, info in m.by.items() %}
  <h3>{{ col }} <span class="note">({{ info.distinct | num }} values{% if info.capped %}, capped{% endif %})</span></h3>
  <table>
    <tr><th>value</th><th>rows</th><th>mean reward</th><th>pass rate</th>{% if m.compare %}<th>pass rate (compare)</th>{% endif %}
    {% if m.labels %}<th>label agreement</th><th>precision</th><th>recall</th>{% endif %}{% for s in statuses %}<th>{{ s }}</th>{% endfor %}</tr>
    {% for v in info["values"][:50] %}
    <tr><td>{{ v.value }}</td><td class="n">{{ v.count | num }}</td><td class="n">{{ v.mean_reward | num }}</td><td class="n">{{ v.pass_rate | pct }}</td>
    {% if m.compare %}<td class="n">{{ v.compare_pass_rate | pct }}</td>{% endif %}
    {% if m.labels %}<td class="n">{{ v.labels.agreement | pct }}</td><td class="n">{{ v.labels.precision | pct }}</td><td class="n">{{ v.labels.recall | pct }}</td>{% endif %}
    {% for s in statuses %}<td class="n">{{ v.statuses[s] | num }}</td>{% endfor %}</tr>
    {% endfor %}
  </table>
  {% if info["values"] | length > 50 %}<p class="note">{{ info["values"] | length - 50 }} more values in metrics.json.</p>{% endif %}
  <div class="plots">{{ plot("by_" ~ loop.index) }}</div>
  {% endfor %}
</section>
{% endif %}

{% if m.labels %}
<section id="labels">
  <h2>Verifier against labels ({{ m.labels.column }})</h2>
  <p class="note">{{ m.labels.labelled | num }} labelled rows. Left out: {{ m.labels.missing | num }} with no label,
  {{ m.labels.invalid | num }} with a label that is not true/false, {{ m.labels.unreadable_rows | num }} unreadable.
  A row counts as accepted by the verifier when {{ m.correct.definition }}.</p>
  <div class="row">{{ plot("confusion") }}
  <table>
    {% for key in ["agreement", "precision", "recall", "f1", "specificity", "false_positive_rate", "false_negative_rate"] %}
    <tr><th>{{ key | replace("_", " ") }}</th><td class="n">{{ m.labels[key] | pct }}</td>{% if m.labels.compare %}<td class="n">compare: {{ m.labels.compare[key] | pct }}</td>{% endif %}</tr>
    {% endfor %}
    <tr><th>Cohen's kappa</th><td class="n">{{ m.labels.cohen_kappa | num }}</td>{% if m.labels.compare %}<td class="n">compare: {{ m.labels.compare.cohen_kappa | num }}</td>{% endif %}</tr>
    <tr><th>false positives / false negatives</th><td class="n">{{ m.labels.fp | num }} / {{ m.labels.fn | num }}</td></tr>
  </table></div>
  <h3>Label by verifier status</h3>
  <table>
    <tr><th>status</th><th>label true</th><th>label false</th></tr>
    {% for s, c in m.labels.by_status.items() %}<tr><td class="status-{{ s }}">{{ s }}</td><td class="n">{{ c.true | num }}</td><td class="n">{{ c.false | num }}</td></tr>{% endfor %}
  </table>
  <h3>False positives: the verifier accepted, the label says incorrect ({{ m.labels.fp | num }})</h3>
  {{ examples(ex.false_positives) }}
  <h3>False negatives: the verifier rejected, the label says correct ({{ m.labels.fn | num }})</h3>
  {{ examples(ex.false_negatives) }}
  {% if ex.invalid_labels %}<h3>Labels that could not be read</h3>
  <table><tr><th>row</th><th>problem</th></tr>{% for e in ex.invalid_labels %}<tr><td>{{ e.where }}</td><td>{{ e.problem }}</td></tr>{% endfor %}</table>{% endif %}
  <p class="note">Every disagreeing row is listed in label_disagreements.jsonl.</p>
</section>
{% endif %}

{% if m.compare %}
<section id="compare">
  <h2>Reward against compare</h2>
  <p class="note">reward <b>{{ settings.reward }}</b> against compare <b>{{ settings.compare }}</b> on the same {{ m.compare.rows | num }} rows.</p>
  <table>
    <tr><th></th><th>reward</th><th>compare</th></tr>
    <tr><th>mean reward</th><td class="n">{{ m.reward.mean | num }}</td><td class="n">{{ m.compare.reward.mean | num }}</td></tr>
    <tr><th>correct</th><td class="n">{{ m.correct.rate | pct }}</td><td class="n">{{ m.compare.correct.rate | pct }}</td></tr>
    {% for s in statuses %}<tr><th>status {{ s }}</th><td class="n">{{ m.statuses[s] | num }}</td><td class="n">{{ m.compare.statuses[s] | num }}</td></tr>{% endfor %}
  </table>
  <table>
    <tr><th>both correct</th><td class="n">{{ m.compare.both_correct | num }}</td></tr>
    <tr><th>only reward correct</th><td class="n">{{ m.compare.only_reward_correct | num }}</td></tr>
    <tr><th>only compare correct</th><td class="n">{{ m.compare.only_compare_correct | num }}</td></tr>
    <tr><th>both incorrect</th><td class="n">{{ m.compare.both_incorrect | num }}</td></tr>
    <tr><th>agreement</th><td class="n">{{ m.compare.agreement | pct }} (kappa {{ m.compare.cohen_kappa | num }})</td></tr>
    <tr><th>disagreements</th><td class="n">{{ m.compare.disagreements | num }} ({{ m.compare.disagreement_rate | pct }})</td></tr>
    <tr><th>score correlation (Pearson)</th><td class="n">{{ m.compare.score_pearson_r | num }}</td></tr>
    <tr><th>mean |score difference|</th><td class="n">{{ m.compare.mean_abs_score_difference | num }}</td></tr>
  </table>
  <div class="plots">{{ plot("crosstab") }}</div>
  <h3>Rows where they disagree</h3>
  {{ examples(ex.compare_disagreements) }}
  <p class="note">Every disagreeing row is listed in compare_disagreements.jsonl.</p>
</section>
{% endif %}

<section id="examples">
  <h2>Examples</h2>
  <h3>Lowest reward</h3>
  {{ examples(ex.worst) }}
  <h3>Errors, timeouts and unverifiable rows</h3>
  {{ examples(ex.problems) }}
</section>
<p class="note">Written by aha eval {{ version }}. Every number is in metrics.json; settings: {{ settings_text }}</p>
</main>
<script>
// Marks the page once loaded: how many plots there are and how many decoded to a non-empty image.
window.addEventListener("load", function () {
  var imgs = Array.prototype.slice.call(document.images);
  var ok = imgs.filter(function (i) { return i.complete && i.naturalWidth > 0 && i.naturalHeight > 0; });
  document.body.setAttribute("data-images", String(imgs.length));
  document.body.setAttribute("data-images-rendered", String(ok.length));
});
</script>
</body>
</html>
"""

EXAMPLES = r"""{% if not items %}<p class="note">None.</p>{% endif %}
{% for e in items %}
<details{% if loop.index <= 2 %} open{% endif %}>
<summary>{{ e.where }} &middot; reward {{ e.score | num }} &middot; <span class="status-{{ e.status }}">{{ e.status }}</span>
{% if e.label is defined and e.label is not none %}&middot; label {{ e.label | num }}{% endif %}
{% if e.compare %}&middot; compare {{ e.compare.score | num }} <span class="status-{{ e.compare.status }}">{{ e.compare.status }}</span>{% endif %}
&middot; {{ e.reason | truncate(140) }}</summary>
<div class="fields">
<div class="label">reason</div><pre>{{ e.reason }}</pre>
{% if e.compare %}<div class="label">compare reason</div><pre>{{ e.compare.reason }}</pre>{% endif %}
{% if e.prompt %}<div class="label">prompt</div><pre>{{ e.prompt }}</pre>{% endif %}
{% if e.completion is not none %}<div class="label">completion</div><pre>{{ e.completion }}</pre>{% endif %}
{% if e.answer is not none %}<div class="label">gold answer</div><pre>{{ e.answer }}</pre>{% endif %}
</div>
{% if e.terms %}<table><tr><th>term</th><th>score</th><th>status</th><th>reason</th></tr>
{% for t in e.terms %}<tr><td>{{ t.name }}</td><td class="n">{{ t.score | num }}</td><td class="status-{{ t.status }}">{{ t.status }}</td><td>{{ t.reason }}</td></tr>{% endfor %}</table>{% endif %}
</details>
{% endfor %}
"""


def render_html(
    metrics: dict[str, Any],
    plots: dict[str, tuple[str, bytes]],
    settings: dict[str, Any],
    timing: dict[str, Any],
    generated: str,
    version: str,
) -> str:
    """The report page; plots are embedded, so the file opens anywhere without a network."""
    import json

    from jinja2 import Environment, select_autoescape
    from markupsafe import Markup

    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    env.filters["num"] = num
    env.filters["pct"] = pct
    examples_template = env.from_string(EXAMPLES)

    def plot(name: str) -> Markup:
        if name not in plots:
            return Markup("")
        title, png = plots[name]
        data = base64.b64encode(png).decode("ascii")
        return Markup('<img class="plot" alt="{}" title="{}" src="data:image/png;base64,{}">').format(
            title, title, Markup(data)
        )

    def examples(items: list[dict[str, Any]]) -> Markup:
        return Markup(examples_template.render(items=items))

    shown = {k: v for k, v in settings.items() if v not in (None, (), [], False)}
    return env.from_string(TEMPLATE).render(
        m=metrics,
        ex=metrics["examples"],
        settings=settings,
        settings_text=json.dumps(shown, default=str),
        statuses=[s for s in ("passed", "failed", "unverifiable", "error", "timeout")],
        timing=timing,
        generated=generated,
        version=version,
        plot=plot,
        examples=examples,
        title=f"{settings.get('input')} / {settings.get('reward')}",
    )
