package org.streamprox.proxy.net;

import java.net.InetAddress;
import java.util.List;
import java.util.stream.Collectors;

/** Several {@link AddressBlock}s taken as one, as a list of trusted peers is written: an address is in any of them. */
public final class AddressBlocks {

    private final List<AddressBlock> blocks;

    public AddressBlocks(List<AddressBlock> blocks) {
        this.blocks = blocks;
    }

    /**
     * Reads each text as {@link AddressBlock#parse(String)} does; no texts, no addresses.
     *
     * @throws IllegalArgumentException naming the first text that is not a block
     */
    public static AddressBlocks parse(List<String> texts) {
        return new AddressBlocks(texts.stream().map(AddressBlock::parse).toList());
    }

    public boolean contains(InetAddress address) {
        return blocks.stream().anyMatch(block -> block.contains(address));
    }

    /** The blocks as they are matched, comma separated: {@code 127.0.0.0/8, ::1/128}. */
    @Override
    public String toString() {
        return blocks.stream().map(AddressBlock::toString).collect(Collectors.joining(", "));
    }
}
