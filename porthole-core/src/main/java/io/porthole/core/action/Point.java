package io.porthole.core.action;

/** A position in screenshot pixels (the coordinate space of every input action). */
public record Point(double x, double y) {}
