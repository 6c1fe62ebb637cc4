"""Delivery of the monthly steering pack: who gets which pack (`subscriptions`), every release's packs kept
on file (`archive`), and the mailing of each release to each subscription (`deliveries`).

The packs themselves are built by `dashboard.exports` and mailed by `dashboard.delivery`; this
package only keeps the state in the store, so that every app instance and every `loket deliver`
see the same, and nothing is sent twice.
"""
