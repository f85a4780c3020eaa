from django.contrib import admin

from community.chat.models import Message, Room, RoomMute


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["pk", "kind", "club", "event", "last_sequence", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["club", "event", "participant_a", "participant_b"]
    readonly_fields = ["last_sequence"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Read-only: messages change through the chat services (sequence, broadcast)."""

    list_display = ["pk", "room", "sequence", "author", "created_at", "deleted_at"]
    raw_id_fields = ["room", "author", "reply_to", "deleted_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RoomMute)
class RoomMuteAdmin(admin.ModelAdmin):
    list_display = ["room", "member", "until", "lifted_at", "created_by"]
    raw_id_fields = ["room", "member", "created_by"]
