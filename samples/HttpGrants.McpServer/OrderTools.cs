using System.ComponentModel;
using ModelContextProtocol.Server;

namespace HttpGrants.McpServer;

[McpServerToolType]
public sealed class OrderTools
{
    [McpServerTool(Name = "search_orders"), Description("Searches orders by customer.")]
    public static string SearchOrders(string customer) => $"3 orders for {customer}.";

    [McpServerTool(Name = "issue_refund"), Description("Refunds part of an order.")]
    public static string IssueRefund(string orderId, decimal amount) => $"Refunded {amount} on {orderId}.";
}
