package org.streamprox.proxy.local;

/**
 * A connection on its way to Jetty's selector.
 *
 * @param app          the app it is for
 * @param handOff      what the engine handed over
 * @param bufferedSize how many bytes the engine had read, remembered before Jetty consumes the buffer
 */
record Arrival(String app, HandOff handOff, int bufferedSize) {

    static Arrival of(String app, HandOff handOff) {
        return new Arrival(app, handOff, handOff.bufferedBytes().remaining());
    }
}
