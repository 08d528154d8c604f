/**
 * The SDK's hidden implementations: not an API. {@code Transport} sends requests with the retry rules, {@code Json}
 * turns wire JSON into the public records, {@code *Impl} implement the public interfaces.
 */
package io.porthole.sdk.internal;
