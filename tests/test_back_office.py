"""The back office: Wagtail admin (brands, purchase codes, moderation) and Django admin."""

import csv
import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from brand_clubs.models import BrandStaff, Product
from community.members.models import Member
from community.reviews import services
from community.reviews.models import PurchaseCode, Review, ReviewFlag, ReviewModeration
from tests.factories import (
    BrandFactory,
    BrandStaffFactory,
    MemberFactory,
    ProductFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db


def _grant(member, *perms):
    """perms as "app_label.codename"."""
    for perm in perms:
        app_label, codename = perm.split(".")
        member.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    # Permission caches live on the instance; force_login reloads it per request.
    return member


@pytest.fixture
def superuser(db):
    return Member.objects.create_superuser(email="root@example.com", password="x-pass-123!")


@pytest.fixture
def admin_member(db):
    """Reaches the Wagtail admin but may not moderate."""
    return _grant(MemberFactory(is_staff=True), "wagtailadmin.access_admin")


@pytest.fixture
def review(product, member):
    return services.review_create(
        author=member, product=product, rating=4, title="Sturdy and quiet", body="Works **well**."
    )


@pytest.fixture
def flagged_review(review, other_member):
    services.review_flag(
        review=review, reporter=other_member, reason="spam", note="Links to a shop"
    )
    return review


def queue_url():
    return reverse("review_moderation:queue")


def review_url(review):
    return reverse("review_moderation:review", args=[review.pk])


# --- moderation: access ---------------------------------------------------------------


@pytest.mark.parametrize("who", ["member", "brand_staff", "admin_member"])
@pytest.mark.parametrize(
    "url_name", ["review_moderation:queue", "review_moderation:hidden", "review"]
)
def test_moderation_pages_are_closed_to_non_moderators(
    client, request, who, url_name, flagged_review
):
    client.force_login(request.getfixturevalue(who))
    url = review_url(flagged_review) if url_name == "review" else reverse(url_name)
    response = client.get(url)
    # Wagtail turns PermissionDenied into a redirect (login page without admin access,
    # dashboard with an error message with it); never the page itself.
    assert response.status_code in (302, 403)
    assert "Sturdy and quiet" not in response.content.decode()


def test_moderation_pages_redirect_anonymous_to_login(client, flagged_review):
    response = client.get(queue_url())
    assert response.status_code == 302
    assert reverse("wagtailadmin_login") in response["Location"]


def test_admin_without_moderation_permission_is_sent_away(client, admin_member, flagged_review):
    client.force_login(admin_member)
    response = client.get(queue_url())
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")


def test_admin_without_moderation_permission_cannot_hide(client, admin_member, flagged_review):
    client.force_login(admin_member)
    response = client.post(
        reverse("review_moderation:hide", args=[flagged_review.pk]), {"reason": "spam"}
    )
    assert response.status_code in (302, 403)
    flagged_review.refresh_from_db()
    assert flagged_review.status == Review.Status.PUBLISHED
    assert not ReviewModeration.objects.exists()


def test_moderation_menu_shown_to_moderators_only(client, moderator, admin_member):
    client.force_login(admin_member)
    assert queue_url() not in client.get(reverse("wagtailadmin_home")).content.decode()
    client.force_login(moderator)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert queue_url() in body
    assert reverse("review_moderation:hidden") in body


# --- moderation: queue and review page -------------------------------------------------


def test_queue_lists_flagged_review_with_reasons(client, moderator, flagged_review, product):
    client.force_login(moderator)
    response = client.get(queue_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert "Sturdy and quiet" in body
    assert product.name in body
    assert flagged_review.author.public_name in body
    assert str(ReviewFlag.Reason.SPAM.label) in body
    assert "Links to a shop" in body
    assert review_url(flagged_review) in body


def test_queue_is_ordered_by_open_flag_weight_and_shows_it(client, moderator, product):
    light = services.review_create(
        author=MemberFactory(), product=product, rating=3, title="Two light flags", body="b"
    )
    heavy = services.review_create(
        author=MemberFactory(), product=product, rating=3, title="One heavy flag", body="b"
    )
    heaviest = services.review_create(
        author=MemberFactory(), product=product, rating=3, title="Three flags", body="b"
    )
    for _n in range(2):
        services.review_flag(review=light, reporter=MemberFactory(), reason="spam")
    services.review_flag(review=heavy, reporter=MemberFactory(trust_level=2), reason="fake")
    services.review_flag(review=heaviest, reporter=MemberFactory(trust_level=3), reason="fake")
    services.review_flag(review=heaviest, reporter=MemberFactory(), reason="spam")
    client.force_login(moderator)
    body = client.get(queue_url()).content.decode()
    # Weight 3, then the two of weight 2 in the order they were flagged.
    assert body.index("Three flags") < body.index("Two light flags") < body.index("One heavy flag")
    assert "weight 3 from 2 flags" in body
    assert "weight 2 from 2 flags" in body
    assert "weight 2 from 1 flag<" in body


def test_review_page_shows_each_flags_weight(client, moderator, review):
    services.review_flag(review=review, reporter=MemberFactory(trust_level=2), reason="fake")
    client.force_login(moderator)
    body = client.get(review_url(review)).content.decode()
    assert "<td>2</td>" in body


def test_queue_is_empty_without_open_flags(client, moderator, review):
    client.force_login(moderator)
    response = client.get(queue_url())
    assert response.status_code == 200
    assert "Sturdy and quiet" not in response.content.decode()


def test_review_page_shows_review_flags_and_forms(client, moderator, flagged_review):
    client.force_login(moderator)
    response = client.get(review_url(flagged_review))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<strong>well</strong>" in body  # the sanitised body_html
    assert "Links to a shop" in body
    assert reverse("review_moderation:hide", args=[flagged_review.pk]) in body
    assert reverse("review_moderation:dismiss", args=[flagged_review.pk]) in body
    assert reverse("review_moderation:restore", args=[flagged_review.pk]) not in body


def test_review_page_404_for_unknown_review(client, moderator):
    client.force_login(moderator)
    assert client.get(reverse("review_moderation:review", args=[999999])).status_code == 404


def test_hide_with_reason(client, moderator, flagged_review, product):
    product.refresh_from_db()
    assert product.rating_count == 1
    client.force_login(moderator)
    response = client.post(
        reverse("review_moderation:hide", args=[flagged_review.pk]),
        {"reason": "Advertising for another shop"},
        follow=True,
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == review_url(flagged_review)
    flagged_review.refresh_from_db()
    assert flagged_review.status == Review.Status.HIDDEN
    decision = ReviewModeration.objects.get(review=flagged_review)
    assert decision.action == ReviewModeration.Action.HIDE
    assert decision.moderator == moderator
    assert decision.reason == "Advertising for another shop"
    product.refresh_from_db()
    assert product.rating_count == 0
    assert product.rating_total == 0
    assert not ReviewFlag.objects.filter(review=flagged_review, resolved_at__isnull=True).exists()
    body = response.content.decode()
    assert "Advertising for another shop" in body  # the audit trail on the page
    # Resolved: out of the queue.
    assert "Sturdy and quiet" not in client.get(queue_url()).content.decode()


def test_hide_without_reason_changes_nothing(client, moderator, flagged_review, product):
    client.force_login(moderator)
    response = client.post(
        reverse("review_moderation:hide", args=[flagged_review.pk]), {"reason": "   "}
    )
    assert response.status_code == 400
    assert "a reason is required" in response.content.decode()
    flagged_review.refresh_from_db()
    assert flagged_review.status == Review.Status.PUBLISHED
    assert not ReviewModeration.objects.exists()
    product.refresh_from_db()
    assert product.rating_count == 1
    assert ReviewFlag.objects.filter(review=flagged_review, resolved_at__isnull=True).exists()


def test_hiding_a_hidden_review_is_an_error_message_not_a_500(client, moderator, review):
    services.review_hide(review=review, moderator=moderator, reason="first")
    client.force_login(moderator)
    response = client.post(
        reverse("review_moderation:hide", args=[review.pk]), {"reason": "again"}, follow=True
    )
    assert response.status_code == 200
    assert "Only a published review can be hidden." in response.content.decode()
    assert ReviewModeration.objects.filter(review=review).count() == 1


def test_restore(client, moderator, review, product):
    services.review_hide(review=review, moderator=moderator, reason="Checking a complaint")
    client.force_login(moderator)
    hidden_page = client.get(reverse("review_moderation:hidden"))
    assert hidden_page.status_code == 200
    assert "Sturdy and quiet" in hidden_page.content.decode()
    assert "Checking a complaint" in hidden_page.content.decode()

    response = client.post(
        reverse("review_moderation:restore", args=[review.pk]),
        {"reason": "Complaint unfounded"},
        follow=True,
    )
    assert response.status_code == 200
    assert "is published again" in response.content.decode()
    review.refresh_from_db()
    assert review.status == Review.Status.PUBLISHED
    assert list(
        ReviewModeration.objects.filter(review=review).values_list("action", flat=True)
    ) == [ReviewModeration.Action.RESTORE, ReviewModeration.Action.HIDE]
    product.refresh_from_db()
    assert product.rating_count == 1
    assert (
        "Sturdy and quiet" not in client.get(reverse("review_moderation:hidden")).content.decode()
    )


def test_restore_without_reason_changes_nothing(client, moderator, review):
    services.review_hide(review=review, moderator=moderator, reason="x")
    client.force_login(moderator)
    response = client.post(reverse("review_moderation:restore", args=[review.pk]), {})
    assert response.status_code == 400
    review.refresh_from_db()
    assert review.status == Review.Status.HIDDEN


def test_dismiss_flags(client, moderator, flagged_review):
    client.force_login(moderator)
    response = client.post(reverse("review_moderation:dismiss", args=[flagged_review.pk]))
    assert response.status_code == 302
    flagged_review.refresh_from_db()
    assert flagged_review.status == Review.Status.PUBLISHED
    flag = ReviewFlag.objects.get(review=flagged_review)
    assert flag.resolved_at is not None
    assert flag.resolved_by == moderator
    assert "Sturdy and quiet" not in client.get(queue_url()).content.decode()


def test_action_urls_do_not_act_on_get(client, moderator, flagged_review):
    client.force_login(moderator)
    response = client.get(reverse("review_moderation:hide", args=[flagged_review.pk]))
    assert response.status_code == 302
    flagged_review.refresh_from_db()
    assert flagged_review.status == Review.Status.PUBLISHED


def test_previous_versions_visible_to_moderators(client, moderator, review, member):
    services.review_update(
        review=review, editor=member, rating=2, title="Changed my mind", body="It broke."
    )
    client.force_login(moderator)
    body = client.get(review_url(review)).content.decode()
    assert "Changed my mind" in body
    assert "Sturdy and quiet" in body  # the previous version
    assert "Works **well**." in body  # its raw text, shown as text


@pytest.mark.parametrize("count", [10, 50])
def test_queue_query_count_does_not_grow(client, moderator, django_assert_max_num_queries, count):
    for _i in range(count):
        review = ReviewFactory()
        services.review_flag(review=review, reporter=MemberFactory(), reason="fake", note="n")
    client.force_login(moderator)
    with django_assert_max_num_queries(12):
        response = client.get(queue_url())
    assert response.status_code == 200


@pytest.mark.parametrize("count", [10, 50])
def test_hidden_list_query_count_does_not_grow(
    client, moderator, django_assert_max_num_queries, count
):
    product = ProductFactory()
    for n in range(count):
        review = services.review_create(
            author=MemberFactory(), product=product, rating=5, title=f"t{n}", body="b"
        )
        services.review_hide(review=review, moderator=moderator, reason="r")
    client.force_login(moderator)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("review_moderation:hidden"))
    assert response.status_code == 200


def test_review_page_query_count(client, moderator, review, member, django_assert_max_num_queries):
    for n in range(5):
        services.review_update(review=review, editor=member, rating=3, title=f"v{n}", body="b")
        services.review_flag(review=review, reporter=MemberFactory(), reason="spam")
    client.force_login(moderator)
    with django_assert_max_num_queries(14):
        assert client.get(review_url(review)).status_code == 200


# --- purchase codes -----------------------------------------------------------------


def generate_url():
    return reverse("purchase_codes:generate")


def codes_url():
    return reverse("purchase_codes:index")


def test_generate_codes_and_export_them(client, superuser, product):
    brand = product.brand
    client.force_login(superuser)
    assert client.get(generate_url()).status_code == 200
    response = client.post(
        generate_url(), {"brand": brand.pk, "count": 25, "batch": "Spring boxes"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(codes_url())
    assert "batch=Spring+boxes" in response["Location"]
    codes = set(PurchaseCode.objects.filter(brand=brand).values_list("code", flat=True))
    assert len(codes) == 25
    assert set(PurchaseCode.objects.values_list("batch", flat=True)) == {"Spring boxes"}

    listing = client.get(response["Location"])
    assert listing.status_code == 200
    assert generate_url() in listing.content.decode()  # the header button

    export = client.get(codes_url(), {"batch": "Spring boxes", "export": "csv"})
    assert export.status_code == 200
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert rows[0][:3] == ["Code", "Brand", "Batch"]
    assert {row[0] for row in rows[1:]} == codes
    assert {row[1] for row in rows[1:]} == {brand.name}


def test_list_filters_by_batch_and_redeemed(client, superuser, product):
    client.force_login(superuser)
    services.purchase_codes_generate(brand=product.brand, count=3, actor=superuser, batch="A")
    services.purchase_codes_generate(brand=product.brand, count=2, actor=superuser, batch="B")
    export = client.get(codes_url(), {"batch": "B", "export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert len(rows) == 1 + 2
    export = client.get(codes_url(), {"redeemed": "true", "export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert len(rows) == 1
    assert client.get(codes_url(), {"export": "xlsx"}).status_code == 200


def test_codes_cannot_be_added_or_edited_one_by_one(client, superuser, product):
    services.purchase_codes_generate(brand=product.brand, count=1, actor=superuser, batch="A")
    code = PurchaseCode.objects.get()
    client.force_login(superuser)
    body = client.get(codes_url()).content.decode()
    assert "/admin/purchase_codes/new/" not in body
    assert client.get("/admin/purchase_codes/new/").status_code == 404
    assert client.get(f"/admin/purchase_codes/edit/{code.pk}/").status_code == 404
    assert client.get(f"/admin/purchase_codes/inspect/{code.pk}/").status_code == 404


def test_generate_count_out_of_range_is_a_form_error(client, superuser, product):
    client.force_login(superuser)
    response = client.post(
        generate_url(), {"brand": product.brand.pk, "count": 10_001, "batch": "Too many"}
    )
    assert response.status_code == 400
    assert not PurchaseCode.objects.exists()


def test_brand_staff_without_admin_access_cannot_generate(client, brand_staff, product):
    client.force_login(brand_staff)
    response = client.post(generate_url(), {"brand": product.brand.pk, "count": 5, "batch": "x"})
    assert response.status_code == 302
    assert reverse("wagtailadmin_login") in response["Location"]
    assert not PurchaseCode.objects.exists()


def test_brand_staff_non_admin_with_admin_access_cannot_generate(client, brand_staff, product):
    _grant(brand_staff, "wagtailadmin.access_admin")
    client.force_login(brand_staff)
    assert client.get(generate_url()).status_code in (302, 403)
    response = client.post(generate_url(), {"brand": product.brand.pk, "count": 5, "batch": "x"})
    assert response.status_code in (302, 403)
    assert not PurchaseCode.objects.exists()
    assert client.get(codes_url()).status_code in (302, 403)


def test_brand_admin_generates_codes_for_own_brand_only(client, product):
    brand_admin = BrandStaffFactory(brand=product.brand, role=BrandStaff.Role.ADMIN).member
    _grant(brand_admin, "wagtailadmin.access_admin")
    other_brand = BrandFactory()
    client.force_login(brand_admin)

    response = client.post(generate_url(), {"brand": other_brand.pk, "count": 5, "batch": "x"})
    assert response.status_code == 400  # not one of the choices
    assert not PurchaseCode.objects.exists()

    response = client.post(generate_url(), {"brand": product.brand.pk, "count": 3, "batch": "x"})
    # No access to the code list: the new codes are shown on the page instead.
    assert response.status_code == 200
    codes = list(PurchaseCode.objects.filter(brand=product.brand).values_list("code", flat=True))
    assert len(codes) == 3
    body = response.content.decode()
    assert all(code in body for code in codes)


def test_brand_admins_see_and_generate_only_their_brands_codes(client, product, superuser):
    """A brand's admin in the "Brand admins" group lists and exports their own brand's
    codes, never another brand's (an unused code is worth a verified label)."""
    other_brand = BrandFactory()
    services.purchase_codes_generate(brand=other_brand, count=3, actor=superuser, batch="x")
    member = MemberFactory(is_staff=True)
    member.groups.add(Group.objects.get(name="Brand admins"))
    BrandStaffFactory(brand=product.brand, member=member, role=BrandStaff.Role.ADMIN)
    client.force_login(member)
    response = client.post(generate_url(), {"brand": product.brand.pk, "count": 2, "batch": "g"})
    assert response.status_code == 302
    own = set(PurchaseCode.objects.filter(brand=product.brand).values_list("code", flat=True))
    assert len(own) == 2
    export = client.get(codes_url(), {"export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    listed = {row[0] for row in rows[1:]}
    assert listed == own
    response = client.post(generate_url(), {"brand": other_brand.pk, "count": 2, "batch": "h"})
    assert response.status_code == 400
    assert PurchaseCode.objects.filter(brand=other_brand).count() == 3


@pytest.mark.parametrize("count", [10, 50])
def test_code_list_query_count(client, superuser, product, django_assert_max_num_queries, count):
    services.purchase_codes_generate(brand=product.brand, count=count, actor=superuser, batch="q")
    redeemer = MemberFactory()
    PurchaseCode.objects.filter(pk__in=PurchaseCode.objects.values("pk")[:5]).update(
        redeemed_by=redeemer
    )
    client.force_login(superuser)
    with django_assert_max_num_queries(20):
        assert client.get(codes_url()).status_code == 200


# --- brands in the Wagtail admin ----------------------------------------------------


@pytest.mark.parametrize("name", ["brands", "products", "categories", "brand_staff"])
def test_brand_section_pages_load_for_superuser(client, superuser, brand_staff, name):
    client.force_login(superuser)
    assert client.get(reverse(f"{name}:index")).status_code == 200
    assert client.get(reverse(f"{name}:add")).status_code == 200


def test_product_list_shows_brand_and_filters(client, superuser):
    first = ProductFactory(name="Quiet Kettle")
    second = ProductFactory(name="Loud Blender")
    client.force_login(superuser)
    body = client.get(reverse("products:index")).content.decode()
    assert first.brand.name in body and second.brand.name in body
    body = client.get(reverse("products:index"), {"brand": first.brand.pk}).content.decode()
    assert "Quiet Kettle" in body and "Loud Blender" not in body
    body = client.get(reverse("products:index"), {"q": "blender"}).content.decode()
    assert "Loud Blender" in body and "Quiet Kettle" not in body


def test_create_product_in_wagtail_admin(client, superuser):
    brand = BrandFactory()
    client.force_login(superuser)
    response = client.post(
        reverse("products:add"),
        {"name": "Grinder", "slug": "grinder", "brand": brand.pk, "description": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    product = Product.objects.get(slug="grinder")
    assert product.brand == brand
    assert product.rating_count == 0


def test_add_brand_staff_with_member_chooser(client, superuser):
    brand = BrandFactory()
    person = MemberFactory()
    client.force_login(superuser)
    assert client.get(reverse("brand_member_chooser:choose")).status_code == 200
    results = client.get(reverse("brand_member_chooser:choose_results"), {"q": person.email})
    assert person.email in results.content.decode()
    response = client.post(
        reverse("brand_staff:add"), {"brand": brand.pk, "member": person.pk, "role": "admin"}
    )
    assert response.status_code == 302
    assert BrandStaff.objects.filter(brand=brand, member=person, role="admin").exists()
    listing = client.get(reverse("brand_staff:index"), {"brand": brand.pk})
    assert person.email in listing.content.decode()


def test_member_chooser_closed_to_moderators(client, moderator):
    client.force_login(moderator)
    response = client.get(reverse("brand_member_chooser:choose"))
    assert response.status_code in (302, 403)


# --- groups ---------------------------------------------------------------------------


def test_groups_exist_after_migrations():
    moderators = Group.objects.get(name="Moderators")
    perms = {
        f"{app}.{codename}"
        for app, codename in moderators.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }
    assert {"members.moderate_content", "wagtailadmin.access_admin"} <= perms
    brand_admins = Group.objects.get(name="Brand admins")
    perms = {
        f"{app}.{codename}"
        for app, codename in brand_admins.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }
    assert {"wagtailadmin.access_admin", "reviews.view_purchasecode"} <= perms
    assert "reviews.add_purchasecode" not in perms  # issuing is scoped by BrandStaff role
    assert "reviews.change_purchasecode" not in perms


def test_moderators_group_member_can_moderate(client, flagged_review):
    person = MemberFactory(is_staff=True)
    person.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(person)
    assert client.get(queue_url()).status_code == 200


# --- Django admin ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:members_member_changelist",
        "admin:members_member_add",
        "admin:reviews_review_changelist",
        "admin:reviews_purchasecode_changelist",
        "admin:brand_clubs_brand_changelist",
        "admin:brand_clubs_product_changelist",
        "admin:brand_clubs_category_changelist",
    ],
)
def test_django_admin_pages_load(client, superuser, review, url_name):
    client.force_login(superuser)
    assert client.get(reverse(url_name)).status_code == 200


def test_django_admin_member_change_and_search(client, superuser, member):
    client.force_login(superuser)
    response = client.get(reverse("admin:members_member_changelist"), {"q": member.email})
    assert response.status_code == 200
    assert member.email in response.content.decode()
    response = client.get(reverse("admin:members_member_change", args=[member.pk]))
    assert response.status_code == 200


def test_django_admin_creates_member_by_email(client, superuser):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:members_member_add"),
        {
            "email": "new@example.com",
            "usable_password": "true",
            "password1": "a-Long-pass-9481",
            "password2": "a-Long-pass-9481",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Member.objects.get(email="new@example.com").check_password("a-Long-pass-9481")


def test_django_admin_review_is_read_only(client, superuser, review):
    client.force_login(superuser)
    response = client.get(reverse("admin:reviews_review_change", args=[review.pk]))
    assert response.status_code == 200
    response = client.post(
        reverse("admin:reviews_review_change", args=[review.pk]), {"status": "hidden"}
    )
    assert response.status_code == 403
    review.refresh_from_db()
    assert review.status == Review.Status.PUBLISHED
