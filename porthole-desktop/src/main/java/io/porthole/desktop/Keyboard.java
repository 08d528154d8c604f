package io.porthole.desktop;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Typing on one X server through XTEST. A character on the keyboard map is typed with its keycode (and Shift or
 * AltGr if its column needs them). A character the map lacks is given a spare slot (a level, without or with Shift,
 * of a keycode that had no keysym; see {@link SpareSlots}) for as long as it is needed, so that no slot is remapped
 * while a key event that used it may still be unread:
 *
 * <ol>
 *   <li>the text is cut into chunks, each with no more distinct missing characters than there are spare slots;
 *   <li>each missing character of a chunk gets its own slot, the least recently used spare one, and only once
 *       {@link #SETTLE} has passed since the last key event that used it was processed by the server;
 *   <li>the map is changed for the whole chunk, and a round trip makes sure the server has it, before any of the
 *       chunk's key events are sent; a round trip after them marks when those slots were last used.
 * </ol>
 *
 * Characters keep their slots after the text is typed (nothing is restored: a window that reads its keys late
 * would type the restored keysym), so typing the same characters again changes nothing. The keycodes given
 * characters are listed in a property of the root window ({@link #CLAIMS}), so that a later connection, or a later
 * run of the server, knows them as spare. Key chords and held keys go through the same map. A change of map by
 * someone else (a MappingNotify this client did not cause) makes the next action read the map again.
 *
 * <p>One per desktop, kept across connections ({@link #use}): when a slot was last used outlives a connection. Not
 * thread-safe (the desktop acts one action at a time). Public for the benchmark, which types the same way.
 */
public final class Keyboard {
    /**
     * How long a spare slot rests between the round trip after its last key event and a new keysym. The round trip
     * says the server has sent the events; the window reads them when the scheduler runs it, which on a loaded
     * machine was more than 100 ms later (ADR 0015). Paid only by texts with more distinct missing characters within
     * this time than there are spare slots (38 on Xvfb's map).
     */
    static final Duration SETTLE = Duration.ofSeconds(1);
    /** The root window's property that lists the keycodes this desktop's typist gave characters (bytes). */
    static final String CLAIMS = "_PORTHOLE_TYPIST_KEYCODES";
    private static final int ATOM_INTEGER = 19;

    private final SpareSlots spares;
    /** Keycodes whose MappingNotify this client caused and has not seen yet. */
    private final Set<Integer> ownChanges = ConcurrentHashMap.newKeySet();
    /** The keys held down by {@link #down}, by canonical name. */
    private final Map<String, Keymap.Stroke> held = new HashMap<>();
    /** The keycodes this typist has given characters, as the root window's property lists them. */
    private final Set<Integer> claimed = new TreeSet<>();
    private volatile boolean stale = true;
    private X11Connection x;
    private int claimsAtom;
    private Keymap map;

    public Keyboard() {
        this(new SpareSlots(SETTLE.toNanos(), System::nanoTime, nanos -> Thread.sleep(Duration.ofNanos(nanos))));
    }

    Keyboard(SpareSlots spares) {
        this.spares = spares;
    }

    /** Types on {@code connection} from now on (the first, or one that replaces a connection that ended). */
    public void use(X11Connection connection) {
        x = connection;
        claimsAtom = 0;
        ownChanges.clear();
        stale = true;
        connection.onMappingNotify(this::mappingNotify);
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
            if (claimsAtom == 0) claimsAtom = x.internAtom(CLAIMS);
            x.getProperty(x.screen().root(), claimsAtom, 64).ifPresent(p -> {
                for (byte b : p.value()) {
                    int k = b & 0xff;
                    if (k >= x.minKeycode() && k <= x.maxKeycode()) claimed.add(k);
                }
            });
            var keep = new ArrayList<Integer>();
            var given = new HashSet<Integer>();
            for (int k = x.minKeycode(); k <= x.maxKeycode(); k++) {
                if (fresh.holds(k, 0, 0)) {
                    keep.add(k);
                } else if (claimed.contains(k) && fresh.holds(k, fresh.keysym(k, 0), fresh.keysym(k, 1))) {
                    // given characters by this typist, or one before it, and holding them as it left them
                    keep.add(k);
                    given.add(k);
                }
            }
            spares.reset(keep, fresh.hasShift(), given);
            map = fresh;
        }
        return map;
    }

    /** Types {@code text}, every character of it. */
    public void type(String text) throws IOException {
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
    public void chord(List<String> keys) throws IOException {
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
        if (spares.isSpare(slotOf(s))) spares.used(List.of(slotOf(s)));
    }

    private static IOException noSpareKeycode(int keysym) {
        return new IOException("the keyboard map has no free keycode left to type keysym 0x" + Integer.toHexString(keysym));
    }

    private static int slotOf(Keymap.Stroke s) {
        return SpareSlots.slot(s.keycode(), s.column());
    }

    /** Keystrokes whose missing keysyms are mapped together, before any of them is sent. */
    private final class Chunk {
        final List<Keymap.Stroke> strokes = new ArrayList<>();
        /** Spare slots this chunk uses (its own and the held keys'): none of them is remapped for it. */
        final Set<Integer> pinned = new HashSet<>();
        /** The keycodes whose map the chunk changes. */
        final Set<Integer> changes = new LinkedHashSet<>();

        Chunk() throws IOException {
            map();
            for (var s : held.values()) pinned.add(slotOf(s));
        }

        /** Adds a keystroke; false if its keysym is missing and no spare slot is left for this chunk. */
        boolean add(int keysym) throws IOException {
            var found = map.find(keysym);
            if (found.isEmpty()) {
                int slot;
                try {
                    slot = spares.available(pinned) == 0 ? -1 : spares.take(pinned);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while typing");
                }
                if (slot < 0) return false;
                map.assign(SpareSlots.keycode(slot), SpareSlots.level(slot), keysym);
                changes.add(SpareSlots.keycode(slot));
                found = map.find(keysym);
            }
            var s = found.orElseThrow();
            if (spares.isSpare(slotOf(s))) pinned.add(slotOf(s));
            strokes.add(s);
            return true;
        }

        /** Changes the map for the chunk's missing keysyms, and waits until the server has done it. */
        void mapNow() throws IOException {
            if (changes.isEmpty()) return;
            if (claimed.addAll(changes)) {
                var list = new byte[claimed.size()];
                int i = 0;
                for (int k : claimed) list[i++] = (byte) k;
                x.changeProperty(x.screen().root(), claimsAtom, ATOM_INTEGER, list);
            }
            for (int k : changes) {
                ownChanges.add(k);
                x.changeKeyboardMapping(k, map.columns(map.keysym(k, 0), map.keysym(k, 1)));
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

        /** Waits until the server has processed the chunk's key events, which is when its slots were last used. */
        void sent() throws IOException {
            x.sync();
            spares.used(pinned.stream().filter(slot -> held.values().stream().noneMatch(s -> slotOf(s) == slot)).toList());
        }
    }
}
