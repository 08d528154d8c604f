package io.porthole.sdk;

import java.util.List;

/**
 * The Computers API of one tenant ({@code /computers}): create, look up, list and delete browsers and desktops.
 * Implementations are thread-safe.
 */
public interface Computers {

    /**
     * Creates a computer and returns once it answers ({@code POST /computers}). Not retried after it may have
     * reached the server: a retry could start a second computer.
     *
     * @param spec what to create
     * @return the running computer; close it (or {@link Computer#delete}) to end it
     * @throws BadRequestException when the spec is invalid
     * @throws RateLimitException when the tenant is at its limit of live computers
     */
    Computer create(ComputerSpec spec);

    /**
     * Creates a browser computer with the server's defaults ({@code ComputerSpec.browser()}).
     *
     * @return the running computer
     */
    Computer create();

    /**
     * Looks a computer up ({@code GET /computers/{id}}) and returns a handle to it.
     *
     * @param id the computer's id
     * @return a handle whose {@link Computer#info()} is the state just read
     * @throws NotFoundException when the tenant has no such computer
     */
    Computer get(String id);

    /**
     * A handle to a computer by id, without a request: for reattaching to a persistent computer whose id was kept.
     *
     * @param id the computer's id
     * @return a handle; its first request says whether the computer exists
     */
    Computer attach(String id);

    /**
     * The tenant's live computers ({@code GET /computers}).
     *
     * @return the computers, as the server lists them
     */
    List<ComputerInfo> list();

    /**
     * The tenant's persistent computers ({@code GET /computers?type=persistent}).
     *
     * @return the persistent computers
     */
    List<ComputerInfo> listPersistent();

    /**
     * Ends a computer ({@code DELETE /computers/{id}}). Idempotent: deleting an ended computer is no error.
     *
     * @param id the computer's id
     * @throws NotFoundException when the id never existed for this tenant
     */
    void delete(String id);
}
