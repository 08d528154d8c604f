package io.porthole.sdk.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A cursor-paginated list ({@code {"items": [...], "nextCursor": ...}}) as a lazy stream: a page is fetched when
 * the one before it has been consumed. Not thread-safe; each stream is its own walk.
 */
final class Pager {
    private Pager() {
    }

    static <T> Stream<T> stream(Function<Optional<String>, JsonNode> fetch, Function<JsonNode, T> convert) {
        var it = new Iterator<T>() {
            private final ArrayDeque<T> buffer = new ArrayDeque<>();
            private Optional<String> cursor = Optional.empty();
            private boolean last;

            @Override
            public boolean hasNext() {
                while (buffer.isEmpty() && !last) {
                    var page = fetch.apply(cursor);
                    for (var item : Json.items(page.get("items"))) buffer.add(convert.apply(item));
                    cursor = Json.text(page, "nextCursor");
                    last = cursor.isEmpty() || cursor.get().isEmpty();
                }
                return !buffer.isEmpty();
            }

            @Override
            public T next() {
                if (!hasNext()) throw new NoSuchElementException();
                return buffer.poll();
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED | Spliterator.NONNULL), false);
    }
}
