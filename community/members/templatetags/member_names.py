"""Author names as every byline shows them.

- `{% member_name member %}`: the name linked to the profile, with the expert badge
  (linked to the public credentials) and, for brand employees, "Brand employee ·
  <brand>" for each employer. `link=False` where a link would nest in another link.
- `{{ member|member_text }}`: the same in plain text, "Ann (Brand employee · RoadGrip)",
  for `<title>`, alt texts and sentences built with blocktranslate.
- `{{ member|expert_label }}`: the label alone ("" without a current badge);
  `{{ badge|badge_label }}` the same from a badge dict (rows annotated with
  `author__expert_badge`).

All of them read only the member row: no query, whatever the number of names."""

from django import template

from community.members import badges

register = template.Library()


@register.inclusion_tag("members/_member_name.html")
def member_name(member, link=True):
    badge = badges.badge_current(member) if member is not None else None
    tier_label = badges.tier_label(badge) if badge else ""
    employee_labels = badges.brand_employee_labels(badge) if badge else []
    return {
        "person": member,
        "link": link,
        "badge": badge,
        "tier_label": tier_label,
        "employee_labels": employee_labels,
    }


@register.filter
def expert_label(member) -> str:
    return badges.expert_label(member)


@register.filter
def badge_label(badge) -> str:
    return " · ".join(badges.badge_parts(badges.badge_current(badge or {})))


@register.filter
def member_text(member) -> str:
    """Plain text (autoescaped where it is printed): the name with the label, if any."""
    return badges.member_text(member)
