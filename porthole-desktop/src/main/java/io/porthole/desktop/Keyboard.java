package io.porthole.desktop;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Typing on one X server through XTEST. A character on the keyboard map is typed with its keycode (and Shift or
 * AltGr if its column needs them). A character the map lacks is given a spare keycode (one with no keysym) for as
 * long as it is needed, so that no keycode is remapped while a key event that used it may still be unread:
 *
 * <ol>
 *   <li>the text is cut into chunks, each with no more distinct missing characters than there are spare keycodes;
 *   <li>each missing character of a chunk gets its own keycode, the least recently used spare one, and only once
 *       {@link #SETTLE} has passed since the last key event that used it was processed by the server;
 *   <li>the map is changed for the whole chunk, and a round trip makes sure the server has it, before any of the
 *       chunk's key events are sent; a round trip after them marks when those keycodes were last used.
 * </ol>
 *
 * Characters keep their keycodes after the text is typed (nothing is restored: a window that reads its keys late
 * would type the restored keysym), so typing the same characters again changes nothing. Key chords and held keys
 * go through the same map. A change of map by someone else (a MappingNotify this client did not cause) makes the
 * next action read the map again. Not thread-safe (the desktop acts one action at a time).
 */
final class Keyboard {
    /**
     * How long a spare keycode rests between the round trip after its last key event and a new keysym. The round
     * trip says the server has sent the events; the window reads them when the scheduler runs it. With both cores
     * busy, xterm read its keys within a few milliseconds (see ADR 0015); this is well past that, and it is paid
     * only by texts with more distinct missing characters than there are spare keycodes.
     */
    static final Duration SETTLE = Duration.ofMillis(100);

    private final X11Connection x;
    private final SpareKeycodes spares;
    /** Keycodes whose MappingNotify this client caused and has not seen yet. */
    private final Set<Integer> ownChanges = ConcurrentHashMap.newKeySet();
    /** The keys held down by {@link #down}, by canonical name. */
    private final Map<String, Keymap.Stroke> held = new HashMap<>();
    private volatile boolean stale = true;
    private Keymap map;

    Keyboard(X11Connection x) {
        this(x, new SpareKeycodes(SETTLE.toNanos(), System::nanoTime, nanos -> Thread.sleep(Duration.ofNanos(nanos))));
    }

    Keyboard(X11Connection x, SpareKeycodes spares) {
        this.x = x;
        this.spares = spares;
        x.onMappingNotify(this::mappingNotify);
    }

    private void mappingNotify(ByteBuffer event) {
        int request = event.get(4) & 0xff;
        int firstKeycode = event.get(5) & 0xff;
        int count = event.get(6) & 0xff;
        if (request == 2) return; // the pointer's buttons
        if (request == 1 && count == 1 && ownChanges.remove(firstKeycode)) return;
        stale = true;
    }

    private Keymap map() throws IOException {
        if (stale || map == null) {
            // cleared first: a change that lands while the map is read makes the next action read it again
            stale = false;
            var fresh = new Keymap(x.keyboardMapping(), x.modifierMapping());
            var keep = new LinkedHashSet<Integer>();
            for (int k : fresh.emptyKeycodes()) keep.add(k);
            // the keycodes this client gave a character keep it, and stay spare
            if (map != null) {
                for (int k : spares.keycodes()) {
                    if (map.holds(k, map.keysym(k, 0)) && fresh.holds(k, map.keysym(k, 0))) keep.add(k);
                }
            }
            spares.reset(keep);
            map = fresh;
        }
        return map;
    }

    /** Types {@code text}, every character of it. */
    void type(String text) throws IOException {
        int[] keysyms = text.codePoints().map(XKeys::ofCodePoint).toArray();
        int i = 0;
        while (i < keysyms.length) {
            var chunk = new Chunk();
            int j = i;
            while (j < keysyms.length && chunk.add(keysyms[j])) j++;
            if (j == i) throw noSpareKeycode(keysyms[i]);
            chunk.send();
            i = j;
        }
    }

    /** Presses {@code keys} (canonical names) in order and releases them in reverse. */
    void chord(List<String> keys) throws IOException {
        var chunk = new Chunk();
        for (var k : keys) {
            int keysym = XKeys.keysym(k);
            if (!chunk.add(keysym)) throw noSpareKeycode(keysym);
        }
        chunk.mapNow();
        var pressed = new LinkedHashSet<Integer>();
        for (var s : chunk.strokes) {
            for (int m : s.modifiers()) if (pressed.add(m)) x.fakeKey(m, true);
            if (pressed.add(s.keycode())) x.fakeKey(s.keycode(), true);
        }
        var release = new ArrayList<>(pressed);
        for (int i = release.size() - 1; i >= 0; i--) x.fakeKey(release.get(i), false);
        chunk.sent();
    }

    /** Presses {@code key} (and the modifiers its column needs) and keeps it down until {@link #up}. */
    void down(String key) throws IOException {
        var chunk = new Chunk();
        int keysym = XKeys.keysym(key);
        if (!chunk.add(keysym)) throw noSpareKeycode(keysym);
        chunk.mapNow();
        var s = chunk.strokes.getFirst();
        for (int m : s.modifiers()) x.fakeKey(m, true);
        x.fakeKey(s.keycode(), true);
        held.put(key, s);
        chunk.sent();
    }

    /** Releases {@code key}, held by {@link #down} or not. */
    void up(String key) throws IOException {
        var s = held.remove(key);
        if (s == null) {
            var found = map().find(XKeys.keysym(key));
            if (found.isEmpty()) return; // not on the map: no key of it can be down
            s = found.get();
        }
        x.fakeKey(s.keycode(), false);
        for (int i = s.modifiers().length - 1; i >= 0; i--) x.fakeKey(s.modifiers()[i], false);
        x.sync();
        if (spares.isSpare(s.keycode())) spares.used(List.of(s.keycode()));
    }

    private static IOException noSpareKeycode(int keysym) {
        return new IOException("the keyboard map has no free keycode to type keysym 0x" + Integer.toHexString(keysym));
    }

    /** Keystrokes whose missing keysyms are mapped together, before any of them is sent. */
    private final class Chunk {
        final List<Keymap.Stroke> strokes = new ArrayList<>();
        /** Spare keycodes this chunk uses (its own and the held keys'): none of them is remapped for it. */
        final Set<Integer> pinned = new HashSet<>();
        /** The map changes the chunk needs: keycode to keysym. */
        final Map<Integer, Integer> changes = new LinkedHashMap<>();

        Chunk() throws IOException {
            map();
            for (var s : held.values()) pinned.add(s.keycode());
        }

        /** Adds a keystroke; false if its keysym is missing and no spare keycode is left for this chunk. */
        boolean add(int keysym) throws IOException {
            var found = map.find(keysym);
            if (found.isEmpty()) {
                int keycode;
                try {
                    keycode = spares.available(pinned) == 0 ? -1 : spares.take(pinned);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while typing");
                }
                if (keycode < 0) return false;
                map.assign(keycode, keysym);
                changes.put(keycode, keysym);
                found = map.find(keysym);
            }
            var s = found.orElseThrow();
            if (spares.isSpare(s.keycode())) pinned.add(s.keycode());
            strokes.add(s);
            return true;
        }

        /** Changes the map for the chunk's missing keysyms, and waits until the server has done it. */
        void mapNow() throws IOException {
            if (changes.isEmpty()) return;
            for (var c : changes.entrySet()) {
                ownChanges.add(c.getKey());
                x.changeKeyboardMapping(c.getKey(), map.columnsFor(c.getValue()));
            }
            x.sync();
        }

        /** Maps, then types each keystroke: its modifiers down, the key down and up, the modifiers up. */
        void send() throws IOException {
            mapNow();
            for (var s : strokes) {
                for (int m : s.modifiers()) x.fakeKey(m, true);
                x.fakeKey(s.keycode(), true);
                x.fakeKey(s.keycode(), false);
                for (int i = s.modifiers().length - 1; i >= 0; i--) x.fakeKey(s.modifiers()[i], false);
            }
            sent();
        }

        /** Waits until the server has processed the chunk's key events, which is when its keycodes were last used. */
        void sent() throws IOException {
            x.sync();
            spares.used(pinned.stream().filter(k -> held.values().stream().noneMatch(s -> s.keycode() == k)).toList());
        }
    }
}
