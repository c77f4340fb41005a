package io.reactivep2p.protocol;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The payload of INV ({@code 0x23}, announce) and GET_DATA ({@code 0x24}, request):
 * {@code u16 count} (≤ {@value #MAX_ITEMS}), then per item {@code u8 type} and a 32-byte
 * content hash.
 *
 * @param items at most {@value #MAX_ITEMS}
 */
public record Inventory(List<InvItem> items) {

    /** Limit of items in one INV or GET_DATA. */
    public static final int MAX_ITEMS = 1000;

    private static final int ITEM_LENGTH = 1 + Bytes32.LENGTH;

    /** Copies the list and checks its size. */
    public Inventory {
        items = List.copyOf(Objects.requireNonNull(items, "items"));
        if (items.size() > MAX_ITEMS) {
            throw new IllegalArgumentException("at most " + MAX_ITEMS + " items, got " + items.size());
        }
    }

    /** Encodes these items as an INV. */
    public Message toInv() {
        return toMessage(MessageType.MsgInv);
    }

    /** Encodes these items as a GET_DATA. */
    public Message toGetData() {
        return toMessage(MessageType.MsgGetData);
    }

    private Message toMessage(MessageType type) {
        ByteBuffer buf = ByteBuffer.allocate(2 + items.size() * ITEM_LENGTH);
        buf.putShort((short) items.size());
        for (InvItem item : items) {
            buf.put((byte) item.type().code()).put(item.hash().array());
        }
        return Message.wrap(type, buf.array());
    }

    /**
     * Decodes an INV or GET_DATA payload. The count is checked against {@value #MAX_ITEMS}
     * and against the exact payload length before any item is allocated.
     */
    public static Inventory decode(Message message) {
        MessageType type = message.type();
        if (!type.equals(MessageType.MsgInv) && !type.equals(MessageType.MsgGetData)) {
            throw new IllegalArgumentException("expected an INV or GET_DATA message, got " + type);
        }
        PayloadReader r = new PayloadReader(message);
        int count = r.u16("count");
        if (count > MAX_ITEMS) {
            throw r.limit("count " + count + " is above " + MAX_ITEMS);
        }
        if (r.remaining() != count * ITEM_LENGTH) {
            throw r.malformed(count + " items need " + (count * ITEM_LENGTH) + " bytes, payload has " + r.remaining());
        }
        List<InvItem> items = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            MessageType itemType = MessageType.fromCode(r.u8("type"));
            items.add(new InvItem(itemType, ContentHash.wrap(r.bytes(Bytes32.LENGTH, "hash"))));
        }
        return new Inventory(items);
    }
}
