package io.porthole.testing;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny SOCKS5 proxy on loopback for tests: username/password authentication only, CONNECT by name or
 * address, then bytes relayed both ways. It records each CONNECT target and whether the credentials were
 * right. Thread-safe.
 */
public final class Socks5Proxy extends LoopbackServer {
    /** A CONNECT the proxy saw. */
    public record Seen(String target, boolean authorised) {}

    private final String user;
    private final String password;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();

    private Socks5Proxy(String user, String password) {
        this.user = user;
        this.password = password;
    }

    public static Socks5Proxy start(String user, String password) {
        var proxy = new Socks5Proxy(user, password);
        proxy.listen("socks5-proxy");
        return proxy;
    }

    public List<Seen> seen() {
        return List.copyOf(seen);
    }

    @Override
    void handle(Socket socket) {
        try (socket) {
            var in = new DataInputStream(socket.getInputStream());
            var out = socket.getOutputStream();
            if (in.readUnsignedByte() != 5) return;
            var methods = in.readNBytes(in.readUnsignedByte());
            boolean offersPassword = false;
            for (var m : methods) offersPassword |= m == 2;
            if (!offersPassword) {
                out.write(new byte[] {5, (byte) 0xff});
                return;
            }
            out.write(new byte[] {5, 2});
            in.readUnsignedByte();
            var u = new String(in.readNBytes(in.readUnsignedByte()), StandardCharsets.UTF_8);
            var p = new String(in.readNBytes(in.readUnsignedByte()), StandardCharsets.UTF_8);
            boolean ok = user.equals(u) && password.equals(p);
            out.write(new byte[] {1, (byte) (ok ? 0 : 1)});
            if (!ok) {
                seen.add(new Seen("(refused credentials)", false));
                return;
            }
            in.readUnsignedByte(); // version
            int command = in.readUnsignedByte();
            in.readUnsignedByte();
            int type = in.readUnsignedByte();
            String host = switch (type) {
                case 1 -> InetAddress.getByAddress(in.readNBytes(4)).getHostAddress();
                case 4 -> InetAddress.getByAddress(in.readNBytes(16)).getHostAddress();
                default -> new String(in.readNBytes(in.readUnsignedByte()), StandardCharsets.US_ASCII);
            };
            int port = in.readUnsignedShort();
            seen.add(new Seen(host + ":" + port, true));
            if (command != 1) {
                out.write(new byte[] {5, 7, 0, 1, 0, 0, 0, 0, 0, 0});
                return;
            }
            try (var target = new Socket(host, port)) {
                out.write(new byte[] {5, 0, 0, 1, 0, 0, 0, 0, 0, 0});
                var back = Thread.ofPlatform().daemon(true).start(() -> pipe(target, socket));
                pipe(socket, target);
                back.join(5000);
            } catch (IOException e) {
                out.write(new byte[] {5, 5, 0, 1, 0, 0, 0, 0, 0, 0});
            }
        } catch (IOException | InterruptedException ignored) {
            // the client went away
        }
    }

    private static void pipe(Socket from, Socket to) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            in.transferTo(out);
            to.shutdownOutput();
        } catch (IOException ignored) {
            // closed
        }
    }

}
