"""`{{ user|holds_privilege:"view_moderation_queue" }}`: whether the signed-in member
holds a privilege of community.reputation.rules.Privilege, for links and buttons only
(the services check again). The trust level is on the member row, so a member who
holds it by level costs no query; site moderators hold every privilege, and only staff
accounts (moderators work in the back office) are asked about that permission, so the
filter adds no query to the pages of everyone else."""

from django import template

from community.reputation import rules
from community.reputation.trust_services import member_has_privilege

register = template.Library()


@register.filter
def holds_privilege(user, privilege: str) -> bool:
    if user is None or not user.is_authenticated or privilege not in rules.PRIVILEGE_LEVELS:
        return False
    if rules.has_privilege(user.trust_level, privilege):
        return True
    return bool(user.is_staff) and member_has_privilege(user, privilege)
