// (a) The empty slim minimal API: the baseline every other app is compared with.

using Microsoft.AspNetCore.Builder;

WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(args);
WebApplication app = builder.Build();
app.MapGet("/orders", () => "orders");
app.Run();
