package io.porthole.engine.cdp;

/** A CDP command that failed: an error answer from the browser ({@code code} from it), or a broken link (-1). */
public final class CdpException extends RuntimeException {
    private final int code;

    public CdpException(int code, String message) {
        super(message);
        this.code = code;
    }

    public int code() {
        return code;
    }
}
