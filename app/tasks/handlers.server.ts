// Registers every task kind this app defers. Each domain module registers its own handlers when
// imported here, so the runner knows them in the web process and in workers alike.
import "../catalog/inventory-item.server";
import "../consent/shopify-consent-tasks.server";
import "../flows/handlers.server";
import "../whatsapp/template-sync-task.server";
import "../shops/install-completion.server";
