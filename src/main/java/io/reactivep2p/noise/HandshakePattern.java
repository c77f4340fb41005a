package io.reactivep2p.noise;

import java.util.List;

/**
 * The handshake patterns of Noise §7 this implementation runs, as token tables: the
 * pre-messages and the messages, the first sent by the initiator, then alternating. A reader
 * checks each table against the specification's notation, written beside it.
 */
public enum HandshakePattern {

    /** {@code -> e; <- e, ee}. */
    NN(List.of(), List.of(),
            List.of(List.of(Token.E), List.of(Token.E, Token.EE))),

    /** {@code <- s; ...; -> e, es; <- e, ee; -> s, se}. */
    XK(List.of(), List.of(Token.S),
            List.of(List.of(Token.E, Token.ES), List.of(Token.E, Token.EE), List.of(Token.S, Token.SE))),

    /** {@code <- s; ...; -> e, es, s, ss; <- e, ee, se}. */
    IK(List.of(), List.of(Token.S),
            List.of(List.of(Token.E, Token.ES, Token.S, Token.SS), List.of(Token.E, Token.EE, Token.SE))),

    /** {@code -> e; <- e, ee, s, es; -> s, se}. */
    XX(List.of(), List.of(),
            List.of(List.of(Token.E), List.of(Token.E, Token.EE, Token.S, Token.ES), List.of(Token.S, Token.SE)));

    /** The tokens of §7.1. */
    enum Token { E, S, EE, ES, SE, SS }

    private final List<Token> initiatorPreMessage;
    private final List<Token> responderPreMessage;
    private final List<List<Token>> messages;

    HandshakePattern(List<Token> initiatorPreMessage, List<Token> responderPreMessage, List<List<Token>> messages) {
        this.initiatorPreMessage = initiatorPreMessage;
        this.responderPreMessage = responderPreMessage;
        this.messages = messages;
    }

    List<Token> initiatorPreMessage() {
        return initiatorPreMessage;
    }

    List<Token> responderPreMessage() {
        return responderPreMessage;
    }

    List<List<Token>> messages() {
        return messages;
    }

    /** Whether the initiator must know the responder's static key before it starts. */
    public boolean initiatorKnowsResponderStatic() {
        return responderPreMessage.contains(Token.S);
    }

    /** Whether a party has a static key in this pattern (it sends or pre-shares one). */
    boolean usesStatic(boolean initiator) {
        List<Token> pre = initiator ? initiatorPreMessage : responderPreMessage;
        if (pre.contains(Token.S)) {
            return true;
        }
        for (int i = initiator ? 0 : 1; i < messages.size(); i += 2) {
            if (messages.get(i).contains(Token.S)) {
                return true;
            }
        }
        return false;
    }

    /** The number of handshake messages. */
    public int messageCount() {
        return messages.size();
    }
}
