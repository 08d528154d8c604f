// Taking control of a computer: the lease (taken, renewed well within its time while the person holds it,
// handed back), and the person's input sent in order, one request at a time.

import { api, seg, ApiError } from './api.js';

export class Control {
  /**
   * @param computerId the computer
   * @param token a viewer link's token, or undefined for the signed-in key
   * @param onChange called with this whenever the lease starts or ends ({lease, lost})
   */
  constructor(computerId, { token, onChange = () => {}, onError = () => {} } = {}) {
    this.base = `/computers/${seg(computerId)}/control`;
    this.token = token;
    this.onChange = onChange;
    this.onError = onError;
    this.lease = null;
    this.queue = [];
    this.sending = false;
    this.sent = 0;
    this.pageHide = () => this.releaseOnExit();
    window.addEventListener('pagehide', this.pageHide);
  }

  get held() {
    return this.lease !== null;
  }

  /** Takes control; throws ApiError control_taken when someone else holds it. */
  async take() {
    const lease = await api(this.base, { method: 'POST', token: this.token });
    this.lease = lease;
    this.lost = null;
    this.scheduleRenew();
    this.onChange(this);
    return lease;
  }

  scheduleRenew() {
    clearTimeout(this.renewTimer);
    if (!this.lease) return;
    const ttl = Number(this.lease.ttl_seconds) || 60;
    // a third of the lease: two renewals can fail (a slow network) before it runs out
    this.renewTimer = setTimeout(() => this.renew(), Math.max(2000, (ttl * 1000) / 3));
  }

  async renew() {
    if (!this.lease) return;
    try {
      const lease = await api(`${this.base}/renew`, { method: 'POST', body: { lease_id: this.lease.lease_id }, token: this.token });
      if (this.lease) this.lease = { ...this.lease, ...lease };
      this.scheduleRenew();
    } catch (e) {
      if (e instanceof ApiError && (e.code === 'not_in_control' || e.status === 404 || e.status === 401 || e.status === 403)) {
        this.ended('Your control ended: ' + e.message);
      } else {
        this.scheduleRenew(); // try again; the lease has time left
      }
    }
  }

  /** Hands control back. */
  async handBack() {
    const lease = this.lease;
    this.ended(null);
    if (!lease) return;
    await api(`${this.base}?lease_id=${encodeURIComponent(lease.lease_id)}`, { method: 'DELETE', token: this.token });
  }

  /** The lease ended (handed back, lost, or taken by the owner); says why when it was not the person's choice. */
  ended(why) {
    if (!this.lease) return;
    clearTimeout(this.renewTimer);
    this.lease = null;
    this.queue = [];
    this.lost = why;
    this.onChange(this);
  }

  /** The control event of the live events stream: someone else took it, or ours was released. */
  observe(event) {
    if (!this.lease) return;
    if (event.event === 'released' && event.holder === this.lease.holder) {
      this.ended(event.reason === 'handed_back' ? 'Control was handed back.' : `Your control ended (${event.reason}).`);
    }
  }

  /**
   * Queues an action of the person's. coalesce 'move' replaces a move not sent yet; 'type' adds to text not
   * sent yet, so fast typing and dragging make few requests.
   */
  send(action, { coalesce } = {}) {
    if (!this.lease) return;
    const last = this.queue[this.queue.length - 1];
    if (coalesce && last && last.coalesce === coalesce) {
      if (coalesce === 'move') last.action = action;
      else if (coalesce === 'type' && (last.action.text.length + action.text.length) <= 200) last.action.text += action.text;
      else this.queue.push({ action, coalesce });
    } else {
      this.queue.push({ action, coalesce });
    }
    this.pump();
  }

  async pump() {
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.queue.length && this.lease) {
        const { action } = this.queue.shift();
        try {
          const result = await api(`${this.base}/input`, { method: 'POST', token: this.token,
            body: { lease_id: this.lease.lease_id, action } });
          this.sent++;
          if (result && result.status === 'error') {
            if (result.error_code === 'not_in_control') this.ended('Your control ended: ' + (result.error_message || ''));
            else this.onError(result.error_message || 'the action failed');
          } else {
            this.scheduleRenew(); // input renews the lease on the server
          }
        } catch (e) {
          if (e instanceof ApiError && (e.code === 'not_in_control' || e.status === 401 || e.status === 403 || e.status === 404)) {
            this.ended('Your control ended: ' + e.message);
          } else {
            this.onError(e.message);
          }
        }
      }
    } finally {
      this.sending = false;
    }
  }

  /** The page is going away: hand back at once rather than leave the agent waiting for the lease to time out. */
  releaseOnExit() {
    if (!this.lease) return;
    const lease = this.lease;
    this.lease = null;
    clearTimeout(this.renewTimer);
    api(`${this.base}?lease_id=${encodeURIComponent(lease.lease_id)}`, { method: 'DELETE', token: this.token, keepalive: true })
      .catch(() => {});
  }

  /** Leaving the computer's page: hands back if held, and stops listening. */
  dispose() {
    window.removeEventListener('pagehide', this.pageHide);
    this.releaseOnExit();
  }
}
