import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { DataTable, Field, Notice, Select, Submit, useLoad, useSubmit, when } from '../ui.tsx';

/** The wallet of prepaid credits: balance, every movement, orders, and buying through Stripe. */

interface Movement {
  at: string;
  transaction_id: string;
  credits: number;
  kind: string;
  memo: string | null;
}
interface Order {
  id: string;
  item: string;
  quantity: number;
  status: string;
  created_at: string;
  checkout?: { url: string | null };
}
interface Item {
  id: string;
  name: string;
  price: number;
  currency: string;
}

const price = (i: Item) =>
  i.currency === 'credits'
    ? `${i.price.toLocaleString()} credits`
    : (i.price / 100).toLocaleString(undefined, { style: 'currency', currency: i.currency.toUpperCase() });

/** Goes to where Stripe takes the payment, when there is one. */
export const toStripe = (url: string | null | undefined) => url && location.assign(url);

export function Wallet({ orgId, stripe }: { orgId: string; stripe: boolean }) {
  const wallet = useLoad(
    () =>
      Promise.all([
        api<{ credits: number }>('GET', `/v1/orgs/${orgId}/wallet`),
        api<{ data: Movement[] }>('GET', `/v1/orgs/${orgId}/wallet/statement`),
        api<{ data: Order[] }>('GET', `/v1/orgs/${orgId}/orders`),
      ]),
    [orgId],
  );
  const catalog = useLoad(() => api<{ data: Item[] }>('GET', '/v1/catalog?limit=100'), []);
  const [ordered, setOrdered] = useState<string>();
  const topUp = useSubmit(async (f) => {
    const { url } = await api<{ url: string | null }>('POST', `/v1/orgs/${orgId}/wallet/top-up`, {
      credits: Number(f.credits),
    });
    toStripe(url);
  });
  const order = useSubmit(async (f) => {
    const made = await api<Order>('POST', `/v1/orgs/${orgId}/orders`, {
      item_id: f.item_id,
      quantity: Number(f.quantity),
    });
    if (made.checkout?.url) return toStripe(made.checkout.url);
    setOrdered(`Ordered ${made.item}: ${made.status}.`);
    await wallet.reload();
  });
  const [balance, statement, orders] = wallet.data ?? [];
  return (
    <section aria-labelledby="wallet-title">
      <h2 id="wallet-title">Wallet</h2>
      {wallet.error && <Notice kind="error">{wallet.error}</Notice>}
      {balance && (
        <p>
          Balance: <strong data-testid="wallet-balance">{balance.credits.toLocaleString()} credits</strong>
        </p>
      )}
      <DataTable
        caption="The wallet's movements"
        columns={['When', 'Credits', 'Kind', 'What']}
        rows={statement?.data}
        empty="No movement yet."
        row={(m) => (
          <tr key={`${m.transaction_id}-${m.at}`}>
            <td>{when(m.at)}</td>
            <td>{m.credits > 0 ? `+${m.credits.toLocaleString()}` : m.credits.toLocaleString()}</td>
            <td>{m.kind}</td>
            <td>{m.memo}</td>
          </tr>
        )}
      />
      {stripe && (
        <form onSubmit={topUp.onSubmit} class="inline">
          {topUp.error && <Notice kind="error">{topUp.error}</Notice>}
          <Field label="Credits to buy" name="credits" type="number" min={1} max={1_000_000} required />
          <Submit busy={topUp.busy}>Buy credits</Submit>
        </form>
      )}
      <h2>Orders</h2>
      {ordered && <Notice kind="success">{ordered}</Notice>}
      <DataTable
        caption="The organization's orders"
        columns={['When', 'Item', 'Quantity', 'Status']}
        rows={orders?.data}
        empty="No order yet."
        row={(o) => (
          <tr key={o.id}>
            <td>{when(o.created_at)}</td>
            <td>{o.item}</td>
            <td>{o.quantity}</td>
            <td>
              <span class="badge">{o.status}</span>
            </td>
          </tr>
        )}
      />
      {catalog.data && catalog.data.data.length > 0 && (
        <form onSubmit={order.onSubmit} class="inline">
          {order.error && <Notice kind="error">{order.error}</Notice>}
          <Select
            label="Item"
            name="item_id"
            options={catalog.data.data.map((i): [string, string] => [i.id, `${i.name} (${price(i)})`])}
          />
          <Field label="Quantity" name="quantity" type="number" min={1} max={10_000} defaultValue="1" required />
          <Submit busy={order.busy}>Order</Submit>
        </form>
      )}
    </section>
  );
}
