package io.reactivep2p.examples.spring;

import io.reactivep2p.P2pNode;
import org.junit.jupiter.api.AfterEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * What the application's tests share: the running application ({@link ExampleAppTest}), a
 * client for its HTTP API, its node, and a test peer of their own that is disconnected after
 * each test.
 */
@ExampleAppTest
abstract class AppTestBase {

    @Autowired
    WebTestClient client;

    @Autowired
    P2pNode app;

    /** Set by a test that connects one; closed after it. */
    TestPeer peer;

    @AfterEach
    void disconnectPeer() {
        if (peer != null) {
            peer.close();
        }
    }
}
