from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    """A kind of product (tyres, motorcycles, coffee machines); experts certify in these."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True, allow_unicode=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name


def brand_logo_path(instance, filename):
    return f"brands/{instance.slug}/{filename}"


class Brand(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True, allow_unicode=True)
    logo = models.ImageField(_("logo"), upload_to=brand_logo_path, blank=True)
    description = models.TextField(_("description"), blank=True)
    verified = models.BooleanField(
        _("verified brand"), default=False, help_text=_("The brand's identity was checked.")
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="BrandStaff",
        related_name="staffed_brands",
        blank=True,
        verbose_name=_("staff members"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("brand")
        verbose_name_plural = _("brands")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("brand_clubs:brand", args=[self.slug])


class BrandStaff(models.Model):
    """A member who speaks for a brand (official replies, purchase codes)."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Brand admin")
        STAFF = "staff", _("Brand staff")

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="staff_links", verbose_name=_("brand")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="brand_links",
        verbose_name=_("member"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.STAFF)
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["brand", "member"], name="unique_brand_staff")
        ]
        verbose_name = _("brand staff member")
        verbose_name_plural = _("brand staff members")

    def __str__(self):
        return f"{self.member} @ {self.brand}"


RATING_SUMMARY_FIELDS = frozenset(
    {"rating_count", "rating_total", "stars_1", "stars_2", "stars_3", "stars_4", "stars_5"}
)


def product_image_path(instance, filename):
    return f"products/{instance.brand_id}/{filename}"


class Product(models.Model):
    brand = models.ForeignKey(
        Brand, on_delete=models.PROTECT, related_name="products", verbose_name=_("brand")
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        related_name="products",
        null=True,
        blank=True,
        verbose_name=_("category"),
    )
    name = models.CharField(_("name"), max_length=160)
    slug = models.SlugField(_("slug"), max_length=160, allow_unicode=True)
    description = models.TextField(_("description"), blank=True)
    image = models.ImageField(_("image"), upload_to=product_image_path, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    # Rating summary of visible reviews, maintained by review services on every write
    # (never recomputed per request); reviews.services.product_rating_recount agrees.
    rating_count = models.PositiveIntegerField(_("reviews"), default=0, editable=False)
    rating_total = models.PositiveIntegerField(default=0, editable=False)
    stars_1 = models.PositiveIntegerField(default=0, editable=False)
    stars_2 = models.PositiveIntegerField(default=0, editable=False)
    stars_3 = models.PositiveIntegerField(default=0, editable=False)
    stars_4 = models.PositiveIntegerField(default=0, editable=False)
    stars_5 = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "slug"], name="unique_product_slug_per_brand")
        ]
        indexes = [models.Index(fields=["-rating_count"])]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        """Never write the rating summary back from a loaded copy: reviews change it
        with F() while an editor has the product's form open."""
        if self.pk is not None and not self._state.adding and "update_fields" not in kwargs:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in RATING_SUMMARY_FIELDS
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("brand_clubs:product", args=[self.brand.slug, self.slug])

    @property
    def rating_average(self) -> float | None:
        if not self.rating_count:
            return None
        return round(self.rating_total / self.rating_count, 2)

    @property
    def star_distribution(self) -> list[tuple[int, int, int]]:
        """(stars, count, percent) from 5 down to 1, for the bars on product pages."""
        rows = []
        for stars in range(5, 0, -1):
            count = getattr(self, f"stars_{stars}")
            percent = round(100 * count / self.rating_count) if self.rating_count else 0
            rows.append((stars, count, percent))
        return rows
